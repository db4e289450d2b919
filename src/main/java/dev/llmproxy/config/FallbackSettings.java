package dev.llmproxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code fallback:} section: the retry budget within an alias, route cooldowns, and the aliases to try
 * when every route of an alias failed (L2), or when the prompt was too long for all of them.
 *
 * @param retrySameRoute how many times a transient failure is retried on the same route before moving on
 * @param maxRetryAfter a 429 asking to wait at most this long is waited out on the same route; longer, the route
 *     is cooled for the asked time and the next route is tried
 * @param maxRetries attempts within one alias, same-route retries included
 * @param retryBackoff base of the jittered exponential backoff between same-route retries
 * @param cooldownInitial first cooldown of a failing route; doubles on consecutive failures
 * @param cooldownCap longest cooldown
 * @param totalTimeout bound of the whole request, L2 included; null means {@code timeout.total}
 * @param midstreamRecovery whether a stream that breaks after content reached the client is continued on the next
 *     candidate (an alias may say otherwise)
 */
public record FallbackSettings(
    int retrySameRoute,
    Duration maxRetryAfter,
    int maxRetries,
    Duration retryBackoff,
    Duration cooldownInitial,
    Duration cooldownCap,
    Duration totalTimeout,
    Map<String, List<String>> aliasFallback,
    Map<String, List<String>> onContextLength,
    boolean midstreamRecovery) {

  static final Set<String> KEYS = Set.of("retry_same_route", "max_retry_after", "max_retries", "retry_backoff",
      "cooldown_initial_seconds", "cooldown_seconds", "total_timeout", "alias_fallback", "on_context_length",
      "midstream_recovery");

  public FallbackSettings {
    aliasFallback = copy(aliasFallback);
    onContextLength = copy(onContextLength);
  }

  /** Settings with mid-stream recovery on (the default). */
  public FallbackSettings(int retrySameRoute, Duration maxRetryAfter, int maxRetries, Duration retryBackoff,
      Duration cooldownInitial, Duration cooldownCap, Duration totalTimeout, Map<String, List<String>> aliasFallback,
      Map<String, List<String>> onContextLength) {
    this(retrySameRoute, maxRetryAfter, maxRetries, retryBackoff, cooldownInitial, cooldownCap, totalTimeout,
        aliasFallback, onContextLength, true);
  }

  /** Whether a broken stream of {@code alias} is continued: the alias' own setting, else this section's. */
  public boolean midstreamRecoveryFor(Alias alias) {
    return alias.midstreamRecovery() != null ? alias.midstreamRecovery() : midstreamRecovery;
  }

  public List<String> aliasFallbacksOf(String alias) {
    return aliasFallback.getOrDefault(alias, List.of());
  }

  public List<String> contextLengthFallbacksOf(String alias) {
    return onContextLength.getOrDefault(alias, List.of());
  }

  static FallbackSettings compile(ConfigNode node, Set<String> aliases) {
    node.warnUnknownKeys(KEYS);
    int retrySameRoute = (int) range(node.get("retry_same_route"), 1, 0, 10);
    int maxRetries = (int) range(node.get("max_retries"), 6, 1, 100);
    Duration maxRetryAfter = node.get("max_retry_after").duration(Duration.ofSeconds(5));
    Duration backoff = ConfigCompiler.positive(node.get("retry_backoff"), Duration.ofMillis(200));
    Duration initial = Duration.ofSeconds(range(node.get("cooldown_initial_seconds"), 10, 1, 86_400));
    Duration cap = Duration.ofSeconds(range(node.get("cooldown_seconds"), 300, 1, 86_400));
    if (cap.compareTo(initial) < 0) {
      node.get("cooldown_seconds").error("must be at least cooldown_initial_seconds (" + initial.toSeconds() + ")");
    }
    Duration total = node.has("total_timeout") ? ConfigCompiler.positive(node.get("total_timeout"), null) : null;
    Map<String, List<String>> l2 = aliasLists(node.get("alias_fallback"), aliases);
    Map<String, List<String>> contextLength = aliasLists(node.get("on_context_length"), aliases);
    rejectCycles(node.get("alias_fallback"), l2);
    boolean midstream = node.get("midstream_recovery").bool(true);
    return new FallbackSettings(retrySameRoute, maxRetryAfter, maxRetries, backoff, initial, cap, total, l2,
        contextLength, midstream);
  }

  private static long range(ConfigNode node, long fallback, long min, long max) {
    long v = node.integer(fallback);
    if (v < min || v > max) {
      node.error("must be from " + min + " to " + max + ", got " + v);
      return fallback;
    }
    return v;
  }

  private static Map<String, List<String>> aliasLists(ConfigNode node, Set<String> aliases) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    node.entries().forEach((alias, listNode) -> {
      if (!aliases.contains(alias)) {
        listNode.error("unknown model alias \"" + alias + "\" (defined: " + aliases + ")");
        return;
      }
      List<String> targets = new ArrayList<>();
      List<ConfigNode> items = listNode.isList() ? listNode.items() : List.of(listNode);
      for (ConfigNode item : items) {
        String target = item.string();
        if (target == null || !aliases.contains(target)) {
          item.error("unknown model alias \"" + target + "\" (defined: " + aliases + ")");
        } else if (target.equals(alias)) {
          item.error("alias \"" + alias + "\" cannot fall back to itself");
        } else if (!targets.contains(target)) {
          targets.add(target);
        }
      }
      out.put(alias, targets);
    });
    return out;
  }

  /** A → B → A would make no sense as an operator's intent, even though each request only goes one level deep. */
  private static void rejectCycles(ConfigNode node, Map<String, List<String>> graph) {
    Set<String> reported = new java.util.HashSet<>();
    for (String start : graph.keySet()) {
      List<String> path = new ArrayList<>();
      List<String> cycle = findCycle(start, graph, path, new java.util.HashSet<>());
      if (cycle != null && reported.add(String.join(">", new java.util.TreeSet<>(cycle)))) {
        node.error("fallback cycle " + String.join(" -> ", cycle));
      }
    }
  }

  private static List<String> findCycle(String at, Map<String, List<String>> graph, List<String> path, Set<String> done) {
    int index = path.indexOf(at);
    if (index >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(index, path.size()));
      cycle.add(at);
      return cycle;
    }
    if (!done.add(at)) {
      return null;
    }
    path.add(at);
    for (String next : graph.getOrDefault(at, List.of())) {
      List<String> cycle = findCycle(next, graph, path, done);
      if (cycle != null) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    return null;
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> in) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
