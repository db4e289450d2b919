// One request as a conversation: the system prompt, the turns it sent, the answer it got (thinking collapsed,
// tool calls paired with their results, images as thumbnails, where a stream broke and another route went on),
// what changed since the session's previous request, the raw record, and a curl command that sends it again.
// Chat completions, messages and the Responses API; a translated request's turns in the protocol the route got.
import Alpine from '/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js';
import { diffArrays, diffLines } from '/ui/vendor/diff/5.1.0/lib/index.mjs';
import { getJson, typing } from './api.js';
import { fmt } from './format.js';

const SESSION_WINDOW = 500;  // requests of a session loaded to find the previous and next one

export function conversationPage() {
  return {
    rec: null,
    failed: '',
    raw: false,
    conv: { system: null, turns: [], legs: [], previousResponse: null },
    diff: { summary: '', removed: [], systemChanged: false, systemParts: [] },
    session: { prev: null, next: null, position: 0, count: 0 },
    copied: '',
    curlText: '',
    loadedId: null,

    init() {
      this.load(Alpine.store('ui').id);
      this.$watch('$store.ui.id', (id) => {
        if (id && Alpine.store('ui').page === 'request') this.load(id);
      });
      this.onKey = (e) => {
        if (typing(e)) return;
        if (e.key === '[' && this.session.prev) location.hash = '#/requests/' + this.session.prev;
        if (e.key === ']' && this.session.next) location.hash = '#/requests/' + this.session.next;
      };
      window.addEventListener('keydown', this.onKey);
    },

    destroy() {
      window.removeEventListener('keydown', this.onKey);
    },

    async load(id) {
      if (!id || id === this.loadedId) return;
      this.loadedId = id;
      this.rec = null;
      this.failed = '';
      this.raw = false;
      this.copied = '';
      this.curlText = '';
      this.diff = { summary: '', removed: [], systemChanged: false, systemParts: [] };
      this.session = { prev: null, next: null, position: 0, count: 0 };
      try {
        const rec = await getJson('/requests/' + encodeURIComponent(id));
        if (this.loadedId !== id) return;
        this.conv = buildConversation(rec);
        this.rec = rec;
        window.scrollTo(0, 0);
        this.loadSession(rec);
      } catch (e) {
        this.failed = 'Cannot load this request: ' + e.message;
      }
    },

    /** The session's neighbours: for prev/next links, the diff, and results of this answer's tool calls. */
    async loadSession(rec) {
      if (!rec.session_id) return;
      try {
        const page = await getJson('/requests', { session: rec.session_id, limit: SESSION_WINDOW });
        if (this.loadedId !== rec.id) return;
        const ids = page.data.map((r) => r.id);  // newest first
        const i = ids.indexOf(rec.id);
        if (i < 0) return;
        this.session = {
          prev: ids[i + 1] || null,
          next: i > 0 ? ids[i - 1] : null,
          position: ids.length - i,
          count: ids.length,
        };
        if (this.session.prev) {
          const prev = await getJson('/requests/' + encodeURIComponent(this.session.prev));
          if (this.loadedId === rec.id) this.diffWith(prev);
        }
        if (this.session.next) {
          const next = await getJson('/requests/' + encodeURIComponent(this.session.next));
          if (this.loadedId === rec.id) this.conv = attachNextResults(this.conv, next);
        }
      } catch (e) {
        // the conversation itself is shown; neighbours are a bonus
      }
    },

    diffWith(prev) {
      const before = messagesOf(prev);
      const after = messagesOf(this.rec);
      const parts = diffArrays(before, after, { comparator: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
      const added = new Set();
      const removed = [];
      let ai = 0;
      for (const part of parts) {
        if (part.added) {
          for (let k = 0; k < part.count; k++) added.add(ai++);
        } else if (part.removed) {
          for (const m of part.value) removed.push({ role: m.role || '?', preview: preview(m) });
        } else {
          ai += part.count;
        }
      }
      const turns = this.conv.turns.map((t) => ({ ...t, isNew: t.index !== undefined && added.has(t.index) }));
      this.conv = { ...this.conv, turns };
      const sysBefore = systemOf(prev) || '';
      const sysAfter = systemOf(this.rec) || '';
      const systemChanged = sysBefore !== sysAfter;
      const bits = [`${added.size} message${added.size === 1 ? '' : 's'} added since the previous request`];
      if (removed.length) bits.push(`${removed.length} no longer sent`);
      if (systemChanged) bits.push('system prompt changed');
      this.diff = {
        summary: bits.join(', ') + '.',
        removed,
        systemChanged,
        systemParts: systemChanged ? diffLines(sysBefore, sysAfter) : [],
      };
    },

    rawText() {
      return this.rec ? JSON.stringify(this.rec, null, 2) : '';
    },

    async copyCurl() {
      const text = curlOf(this.rec, Alpine.store('ui').status.mode === 'explore');
      if (text === null) {
        this.copied = 'no curl: Bedrock calls are signed with the caller\'s AWS credentials';
        return;
      }
      try {
        await navigator.clipboard.writeText(text);
        this.copied = 'copied';
        this.curlText = '';
      } catch (e) {
        // No clipboard on a plain-http page of another host: show it to copy by hand.
        this.curlText = text;
        this.copied = 'select and copy:';
      }
    },
  };
}

/**
 * The messages a request sent, in order: chat completions and messages keep them in body.messages; the Responses
 * API in body.input (a string is one user message).
 */
export function messagesOf(rec) {
  const body = rec && rec.request && rec.request.body;
  if (!body || typeof body !== 'object') return [];
  if (Array.isArray(body.messages)) return body.messages;
  if (Array.isArray(body.input)) return body.input;
  if (typeof body.input === 'string' && isResponses(rec)) return [{ role: 'user', content: body.input }];
  return [];
}

function isResponses(rec) {
  return rec.endpoint === '/responses';
}

function systemOf(rec) {
  return rec && rec.request ? rec.request.system_prompt : null;
}

function preview(message) {
  const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
  return (text || '').slice(0, 400);
}

function pretty(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch (e) {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

function textOf(content) {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p === 'string' ? p : p.text !== undefined ? p.text : JSON.stringify(p)))
      .join('\n');
  }
  return JSON.stringify(content, null, 2);
}

/**
 * Turns the record into what the template shows: a system prompt, turns of typed blocks, and the legs of the
 * answer. The request body is in the protocol the route got (route_protocol: a translated request's differs from
 * the client's); the answer is as the client received it, in the client's protocol.
 */
export function buildConversation(rec) {
  const requestProtocol = rec.route_protocol || rec.protocol;
  const body = (rec.request && rec.request.body) || {};
  const turns = [];
  const calls = new Map();  // tool call id → its block, so a result can join its call

  const addTurn = (role, blocks, extra = {}) => {
    const label = { user: 'user', assistant: 'assistant', tool: 'tool', system: 'system', developer: 'developer' }[role]
      || role;
    turns.push({ role, label, blocks, ...extra });
  };

  const toolCall = (id, name, input) => {
    const block = { kind: 'tool_call', id, name, input: pretty(input), result: null };
    if (id) calls.set(id, block);
    return block;
  };

  const toolResult = (id, content, isError, where) => {
    const call = id && calls.get(id);
    const text = textOf(content);
    if (call) {
      call.result = { text, isError: !!isError, where };
      return { kind: 'tool_result_ref', id, name: call.name };
    }
    return { kind: 'tool_result', id, text, isError: !!isError };
  };

  const anthropicBlocks = (content, role) => {
    if (typeof content === 'string') return [{ kind: 'text', text: content }];
    return (content || []).map((b) => {
      switch (b.type) {
        case 'text': return { kind: 'text', text: b.text };
        case 'thinking': return { kind: 'thinking', text: b.thinking || '' };
        case 'redacted_thinking': return { kind: 'thinking', text: '', redacted: true };
        case 'tool_use':
        case 'server_tool_use': return toolCall(b.id, b.name, b.input);
        case 'tool_result': return toolResult(b.tool_use_id, b.content, b.is_error, role === 'user' ? null : role);
        case 'image': return imageBlock(b.source);
        default: return { kind: 'json', text: pretty(b) };
      }
    });
  };

  const openAiParts = (content) => {
    if (content === null || content === undefined) return [];
    if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : [];
    return content.map((p) => {
      if (['text', 'input_text', 'output_text'].includes(p.type)) return { kind: 'text', text: p.text };
      if (p.type === 'image_url') return imageBlock({ type: 'url', url: p.image_url && p.image_url.url });
      if (p.type === 'input_image') {
        return imageBlock({ type: 'url', url: typeof p.image_url === 'string' ? p.image_url : p.file_id });
      }
      if (p.type === 'refusal') return { kind: 'text', text: 'refusal: ' + p.refusal };
      return { kind: 'json', text: pretty(p) };
    });
  };

  const openAiAssistant = (m) => {
    const blocks = [];
    const reasoning = m.reasoning_content || m.reasoning;
    if (reasoning) blocks.push({ kind: 'thinking', text: textOf(reasoning) });
    blocks.push(...openAiParts(m.content));
    if (m.refusal) blocks.push({ kind: 'text', text: 'refusal: ' + m.refusal });
    for (const c of m.tool_calls || []) {
      blocks.push(toolCall(c.id, c.function ? c.function.name : c.type, c.function ? c.function.arguments : c));
    }
    return blocks;
  };

  // A Responses API item (input or output): a message, a function call or its output, reasoning.
  const responsesItem = (item) => {
    const type = item.type || (item.role ? 'message' : '');
    if (type === 'message') return { role: item.role || 'user', blocks: openAiParts(item.content) };
    if (type === 'function_call') {
      return { role: 'assistant', blocks: [toolCall(item.call_id || item.id, item.name, item.arguments)] };
    }
    if (type === 'function_call_output') return { role: 'tool', blocks: [toolResult(item.call_id, item.output)] };
    if (type === 'reasoning') {
      const parts = (item.summary || []).concat(item.content || []).map((p) => p.text || '').filter(Boolean);
      return { role: 'assistant', blocks: [{ kind: 'thinking', text: parts.join('\n\n'),
        redacted: !parts.length && !!item.encrypted_content }] };
    }
    return { role: item.role || 'item', blocks: [{ kind: 'json', text: pretty(item) }] };
  };

  // The request's turns.
  if (isResponses(rec)) {
    messagesOf(rec).forEach((item, index) => {
      if (item.role === 'system' || item.role === 'developer') return;  // shown as the system prompt
      const { role, blocks } = responsesItem(item);
      addTurn(role, blocks, { index });
    });
  } else {
    const anthropic = requestProtocol === 'anthropic';
    (Array.isArray(body.messages) ? body.messages : []).forEach((m, index) => {
      if (!anthropic && (m.role === 'system' || m.role === 'developer')) return;  // shown as the system prompt
      let blocks;
      if (anthropic) blocks = anthropicBlocks(m.content, m.role);
      else if (m.role === 'assistant') blocks = openAiAssistant(m);
      else if (m.role === 'tool') blocks = [toolResult(m.tool_call_id, m.content, false, null)];
      else blocks = openAiParts(m.content);
      addTurn(m.role, blocks, { index });
    });
    if (body.prompt !== undefined) addTurn('user', [{ kind: 'text', text: textOf(body.prompt) }]);
    if (body.input !== undefined && !body.messages) addTurn('user', [{ kind: 'text', text: textOf(body.input) }]);
  }

  // The answer, in the client's protocol: a reassembled stream (message) or a body.
  const response = rec.response || {};
  const answer = response.message !== undefined ? response.message : response.body;
  if (answer !== undefined && answer !== null) {
    const failedAnswer = (b) => [{ kind: 'json', text: pretty(b) }];
    if (rec.status >= 400 || (answer && answer.type === 'error')) {
      addTurn('error', failedAnswer(answer), { response: true, label: 'error answer' });
    } else if (isResponses(rec) && answer && Array.isArray(answer.output)) {
      const blocks = answer.output.flatMap((item) => responsesItem(item).blocks);
      if (answer.error) blocks.push({ kind: 'error', text: textOf(answer.error.message || answer.error) });
      const reason = answer.incomplete_details && answer.incomplete_details.reason;
      addTurn('assistant', blocks, { response: true, stop: answer.status + (reason ? ' (' + reason + ')' : '') });
    } else if (rec.protocol === 'anthropic' && answer && Array.isArray(answer.content)) {
      const blocks = anthropicBlocks(answer.content, 'assistant');
      if (answer.error) blocks.push({ kind: 'error', text: textOf(answer.error.message || answer.error) });
      addTurn('assistant', blocks, { response: true, stop: answer.stop_reason });
    } else if (answer && Array.isArray(answer.choices) && answer.choices.length) {
      const choice = answer.choices[0];
      const blocks = choice.message ? openAiAssistant(choice.message)
        : [{ kind: 'text', text: textOf(choice.text) }];
      if (answer.error) blocks.push({ kind: 'error', text: textOf(answer.error.message || answer.error) });
      addTurn('assistant', blocks, { response: true, stop: choice.finish_reason });
    } else if (answer && answer.error) {
      addTurn('error', failedAnswer(answer), { response: true, label: 'error answer' });
    } else {
      addTurn('assistant', [{ kind: 'json', text: pretty(answer) }], { response: true });
    }
  }
  const recoveries = Array.isArray(rec.recoveries) ? rec.recoveries : [];
  for (const t of turns) {
    if (t.response && t.role === 'assistant') {
      t.label = 'assistant · answer';
      if (recoveries.length) t.blocks = markBreaks(t.blocks, recoveries);
    }
  }
  return {
    system: rec.request ? (rec.request.system_prompt ?? null) : null,
    turns,
    legs: legsOf(rec),
    previousResponse: isResponses(rec) && body.previous_response_id ? body.previous_response_id : null,
  };
}

/**
 * The routes whose answers the client received, each with where its stream broke (if it did) and, for a route
 * that continued, the body it was sent (the answer so far as a prefill).
 */
function legsOf(rec) {
  const legs = (Array.isArray(rec.legs) ? rec.legs : []).map((route) => ({ route }));
  const recoveries = Array.isArray(rec.recoveries) ? rec.recoveries : [];
  recoveries.forEach((r, i) => {
    if (legs[i]) legs[i].broke = r;
    else legs.push({ route: r.broken_route || {}, broke: r });
    if (r.continued_on && legs[i + 1]) legs[i + 1].continuation = pretty(r.request_body);
  });
  return legs;
}

/**
 * The answer's text cut where each break happened (recoveries[].delivered_chars counts the visible text the
 * client had), with a marker between: the text before it came from the broken route, the rest from the next.
 */
function markBreaks(blocks, recoveries) {
  const cuts = recoveries.map((r) => ({ at: Number(r.delivered_chars) || 0, r })).sort((a, b) => a.at - b.at);
  const marker = ({ r }) => ({ kind: 'break', broken: r.broken_route, continued: r.continued_on, reason: r.reason,
    chars: r.delivered_chars, title: fmt.recoveryTitle({ recoveries: [r] }) });
  const out = [];
  let offset = 0;
  let k = 0;
  for (const b of blocks) {
    if (b.kind !== 'text') {
      out.push(b);
      continue;
    }
    let text = b.text || '';
    let start = offset;
    while (k < cuts.length && cuts[k].at <= start + text.length) {
      const cut = Math.max(0, cuts[k].at - start);
      if (cut > 0) out.push({ kind: 'text', text: text.slice(0, cut) });
      out.push(marker(cuts[k]));
      text = text.slice(cut);
      start += cut;
      k++;
    }
    if (text) out.push({ kind: 'text', text });
    offset = start + text.length;
  }
  while (k < cuts.length) out.push(marker(cuts[k++]));  // past the text (e.g. within a tool call): at the end
  return out;
}

function imageBlock(source) {
  if (!source) return { kind: 'json', text: 'image without a source' };
  if (source.type === 'base64' && source.data) {
    return { kind: 'image', src: `data:${source.media_type || 'image/png'};base64,${source.data}`,
      mediaType: source.media_type };
  }
  const url = source.url || '';
  // Only inline images are shown: the page loads nothing from other hosts (and its policy would refuse it).
  if (url.startsWith('data:image/')) return { kind: 'image', src: url, mediaType: url.slice(5, url.indexOf(';')) };
  return { kind: 'image', src: null, url };
}

/** Results of this answer's tool calls, taken from the session's next request. */
function attachNextResults(conv, next) {
  const results = new Map();
  for (const m of messagesOf(next)) {
    if (m.role === 'tool' && m.tool_call_id) results.set(m.tool_call_id, { text: textOf(m.content), isError: false });
    if (m.type === 'function_call_output' && m.call_id) {
      results.set(m.call_id, { text: textOf(m.output), isError: false });
    }
    if (Array.isArray(m.content)) {
      for (const b of m.content) {
        if (b && b.type === 'tool_result') {
          results.set(b.tool_use_id, { text: textOf(b.content), isError: !!b.is_error });
        }
      }
    }
  }
  const turns = conv.turns.map((t) => {
    if (!t.response) return t;
    const blocks = t.blocks.map((b) => (b.kind === 'tool_call' && !b.result && results.has(b.id)
      ? { ...b, result: { ...results.get(b.id), where: 'from the next request' } } : b));
    return { ...t, blocks };
  });
  return { ...conv, turns };
}

/**
 * A curl command that sends the same body again, or null when there is none to give (Claude Code's Bedrock mode:
 * its calls carry an AWS signature). The body is the one the route got: the alias' system prompt is already in it
 * (the proxy injects it again unless the alias' mode is replace), its model is the route's real one (put back to
 * the alias, so the proxy routes it again), and a translated request's is in the route's protocol (so it goes to
 * that protocol's endpoint, from which the proxy translates it again as needed). The key is the shell's
 * $LLM_PROXY_KEY, never a value.
 */
export function curlOf(rec, explore) {
  const path = rec.path || '/v1/chat/completions';
  if (path.startsWith('/model/')) return null;
  const base = explore ? 'http://127.0.0.1:8765' : location.origin;
  const translated = !!fmt.translation(rec);
  const protocol = translated ? rec.route_protocol : rec.protocol;
  const target = translated ? (protocol === 'anthropic' ? '/v1/messages' : '/v1/chat/completions') : path;
  let body = rec.request ? rec.request.body : null;
  if (body && typeof body === 'object' && !rec.passthrough && rec.alias) body = { ...body, model: rec.alias };
  const hasBody = body !== null && body !== undefined && rec.method !== 'GET';
  const lines = [`curl -sN ${hasBody ? '' : '-X ' + (rec.method || 'GET') + ' '}${base}${target}`];
  if (hasBody) lines.push(`  -H 'content-type: application/json'`);
  lines.push(protocol === 'anthropic' ? `  -H "x-api-key: $LLM_PROXY_KEY" -H 'anthropic-version: 2023-06-01'`
    : `  -H "authorization: Bearer $LLM_PROXY_KEY"`);
  const headers = (rec.request && rec.request.headers) || {};
  if (headers['x-session-id']) lines.push(`  -H 'x-session-id: ${headers['x-session-id'].replace(/'/g, "'\\''")}'`);
  if (!hasBody) return lines.join(' \\\n') + '\n';
  lines.push(`  --data-binary @- <<'LLM_PROXY_BODY'`);
  return lines.join(' \\\n') + '\n' + (typeof body === 'string' ? body : JSON.stringify(body, null, 2))
    + '\nLLM_PROXY_BODY\n';
}
