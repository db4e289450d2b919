package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestScope;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What one request may still spend on attempts: {@code fallback.max_retries} attempts per alias (same-route
 * retries included; each alias of the plan has its own count) and the request's deadline, read on the request's
 * clock. Confined to the request's event loop.
 */
final class Budget {

  private final RequestScope scope;
  private final int attemptsPerAlias;
  private final Map<String, Integer> spent = new HashMap<>();

  Budget(RequestScope scope, int attemptsPerAlias) {
    this.scope = scope;
    this.attemptsPerAlias = attemptsPerAlias;
  }

  /** Why no attempt may start on a route of {@code alias} now, or null when one may. */
  String refusal(String alias) {
    if (scope.expired()) {
      return "request deadline reached";
    }
    return spent(alias) >= attemptsPerAlias ? "max_retries reached" : null;
  }

  /** Counts an attempt that starts now on a route of {@code alias}. */
  void spend(String alias) {
    spent.merge(alias, 1, Integer::sum);
  }

  /** Whether a retry after {@code delay} would still start before the deadline and within the alias' count. */
  boolean allowsRetry(String alias, Duration delay) {
    return delay.compareTo(remaining()) < 0 && spent(alias) < attemptsPerAlias;
  }

  /** Time left before the request's deadline; it caps every timeout and wait. */
  Duration remaining() {
    return scope.remaining();
  }

  /** {@code wait}, or less if the deadline comes first. */
  Duration capped(Duration wait) {
    Duration left = remaining();
    return wait.compareTo(left) <= 0 ? wait : left;
  }

  private int spent(String alias) {
    return spent.getOrDefault(alias, 0);
  }
}
