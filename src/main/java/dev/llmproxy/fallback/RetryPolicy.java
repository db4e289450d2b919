package dev.llmproxy.fallback;

import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.detection.Verdict;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What to do after a failed attempt: retry the same route after a delay, or move on (cooling the route or not).
 * Pure; the table it implements is documented in docs/routing.md.
 */
final class RetryPolicy {

  /** Never more than two attempts a second on one route when a 429 gives no hint. */
  static final Duration MIN_RATE_LIMIT_SPACING = Duration.ofMillis(500);

  /**
   * @param retrySameRoute true: wait {@code delay}, then try the same route again
   * @param coolRoute when moving on: whether the route's circuit opens
   * @param coolFor when cooling: the provider's requested duration, or null for the doubling schedule
   */
  public record Decision(boolean retrySameRoute, Duration delay, boolean coolRoute, Duration coolFor, String why) {

    static Decision retry(Duration delay, String why) {
      return new Decision(true, delay, false, null, why);
    }

    static Decision moveOn(boolean cool, Duration coolFor, String why) {
      return new Decision(false, Duration.ZERO, cool, coolFor, why);
    }
  }

  private RetryPolicy() {}

  /** @param retriesDone same-route retries already made for this route in this request */
  public static Decision decide(Verdict failed, int retriesDone, FallbackSettings settings, RandomGenerator random) {
    boolean mayRetry = retriesDone < settings.retrySameRoute();
    Duration retryAfter = failed.retryAfter();
    return switch (failed.failure()) {
      case TRANSIENT -> mayRetry
          ? Decision.retry(backoff(settings.retryBackoff(), retriesDone, random), "transient: retry after backoff")
          : Decision.moveOn(true, null, "transient: retries spent");
      case RATE_LIMITED -> {
        if (retryAfter != null && retryAfter.compareTo(settings.maxRetryAfter()) > 0) {
          yield Decision.moveOn(true, retryAfter, "rate limited: Retry-After " + retryAfter.toMillis()
              + " ms exceeds max_retry_after; route cooled for that long");
        }
        if (!mayRetry) {
          yield Decision.moveOn(true, retryAfter, "rate limited: retries spent");
        }
        if (retryAfter != null) {
          yield Decision.retry(retryAfter, "rate limited: waiting Retry-After");
        }
        Duration wait = backoff(settings.retryBackoff(), retriesDone, random);
        yield Decision.retry(wait.compareTo(MIN_RATE_LIMIT_SPACING) < 0 ? MIN_RATE_LIMIT_SPACING : wait,
            "rate limited without Retry-After: backoff");
      }
      case TIMEOUT -> Decision.moveOn(true, null, "timeout: never retried on the same route");
      case UNREACHABLE -> Decision.moveOn(true, null, "unreachable: move on");
      case BACKEND_REFUSED -> Decision.moveOn(true, null, "backend refused: move on");
      case CONTEXT_LENGTH -> Decision.moveOn(false, null, "context length: another model may fit; route stays healthy");
      case CONTINUATION_REFUSED -> Decision.moveOn(false, null, "continuation refused: another route may take it;"
          + " route stays healthy");
    };
  }

  /** Full jitter in the upper half: base·2^n · U[0.5, 1), so retries spread out but never collapse to zero. */
  static Duration backoff(Duration base, int retriesDone, RandomGenerator random) {
    long ceiling = base.toMillis() << Math.min(10, retriesDone);
    long millis = Math.max(1, (long) (ceiling * (0.5 + random.nextDouble() * 0.5)));
    return Duration.ofMillis(millis);
  }
}
