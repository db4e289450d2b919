#!/usr/bin/env python3
# Summarises a profile for bench/profile.sh: self time by top frame, and the inclusive share of the proxy's own
# methods and of the libraries on its path. Input: `jfr print --events jdk.ExecutionSample` output, or with
# --collapsed, async-profiler's collapsed stacks (one "frame;frame;... count" line per stack, root first).
import collections
import re
import sys

args = sys.argv[1:]
collapsed = args and args[0] == '--collapsed'
if collapsed:
    args = args[1:]
stacks = []  # (frames top first, weight)
if collapsed:
    for line in open(args[0]):
        line = line.rstrip('\n')
        if not line:
            continue
        path, _, count = line.rpartition(' ')
        stacks.append((list(reversed(path.split(';'))), int(count)))
else:
    for s in open(args[0]).read().split('jdk.ExecutionSample {')[1:]:
        m = re.search(r'stackTrace = \[(.*?)\n\s*\]', s, re.S)
        if m:
            frames = [re.sub(r'\s+line:.*', '', f.strip()) for f in m.group(1).strip().split('\n')
                      if f.strip() and f.strip() != '...']
            if frames:
                stacks.append((frames, 1))
total = sum(w for _, w in stacks)
own = collections.Counter()
inclusive = collections.Counter()
for frames, w in stacks:
    own[frames[0]] += w
    for f in set(frames):
        inclusive[f] += w
print('samples', total)
print('--- self')
for f, c in own.most_common(50):
    print(f'{100 * c / total:5.1f}% {f}')
print('--- inclusive (the proxy, logging, metrics, JSON, router)')
keys = ('llmproxy', 'logback', 'micrometer', 'jackson', 'Json', 'vertx.ext.web', 'logstash')
for f, c in inclusive.most_common(600):
    if any(k in f for k in keys):
        print(f'{100 * c / total:5.1f}% {f}')
