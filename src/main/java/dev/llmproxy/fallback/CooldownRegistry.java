package dev.llmproxy.fallback;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Circuit state per route ({@code backend/model}), shared by every event loop and kept across config reloads.
 *
 * <p>A failure opens the circuit for a cooldown that starts short and doubles with each consecutive failure, up to
 * a cap. While open, the route receives nothing. When the cooldown has passed, exactly one request is let through
 * as a probe (others still skip the route): its success closes the circuit and resets the cooldown; its failure
 * re-opens it for longer. Failures reported while the circuit is already open (requests that were in flight when
 * it opened) do not lengthen it: they are the same outage.
 */
public final class CooldownRegistry {

  /** What a request may do with a route now. */
  public enum Admission {
    /** Closed circuit: use it. */
    ALLOWED,
    /** Half-open: this request is the one probe; it must report success, failure or abandon. */
    PROBE,
    /** Open, or another request is probing: skip it. */
    COOLING
  }

  /** One route's circuit: consecutive failures, open until, whether a probe is out. */
  public record State(int failures, Instant until, boolean probing) {}

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Clock clock;

  public CooldownRegistry(Clock clock) {
    this.clock = clock;
  }

  public Admission admit(String route) {
    Admission[] result = {Admission.ALLOWED};
    states.computeIfPresent(route, (key, state) -> {
      if (clock.instant().isBefore(state.until()) || state.probing()) {
        result[0] = Admission.COOLING;
        return state;
      }
      result[0] = Admission.PROBE;
      return new State(state.failures(), state.until(), true);
    });
    return result[0];
  }

  /** Admits a route regardless of its state, as a probe: the last resort when every route is cooling. */
  public void forceProbe(String route) {
    states.computeIfPresent(route, (key, state) -> new State(state.failures(), state.until(), true));
  }

  public boolean isCooling(String route) {
    State state = states.get(route);
    return state != null && (clock.instant().isBefore(state.until()) || state.probing());
  }

  /** Time until the route may be probed; zero if it may be used now. */
  public Duration remaining(String route) {
    State state = states.get(route);
    if (state == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), state.until());
    return left.isNegative() ? Duration.ZERO : left;
  }

  public void success(String route) {
    states.remove(route);
  }

  /**
   * Opens (or re-opens) the circuit.
   *
   * @param requested the provider's own wait (e.g. a long Retry-After), used instead of the doubling schedule
   * @return how long the route is now cooling
   */
  public Duration failure(String route, Duration requested, Duration initial, Duration cap) {
    Instant now = clock.instant();
    State next = states.compute(route, (key, state) -> {
      if (state != null && now.isBefore(state.until()) && !state.probing()) {
        return state; // already open: same outage, reported by a request that was in flight
      }
      int failures = state == null ? 1 : state.failures() + 1;
      Duration cooldown = requested != null ? requested : doubling(initial, cap, failures);
      return new State(failures, now.plus(cooldown), false);
    });
    return Duration.between(now, next.until());
  }

  /** A probe that ended without a verdict (client left, budget spent): let the next request probe instead. */
  public void abandon(String route) {
    states.computeIfPresent(route, (key, state) -> state.probing() ? new State(state.failures(), state.until(), false) : state);
  }

  static Duration doubling(Duration initial, Duration cap, int failures) {
    long factor = 1L << Math.min(30, Math.max(0, failures - 1));
    Duration d = initial.multipliedBy(factor);
    return d.compareTo(cap) > 0 || d.isNegative() ? cap : d;
  }
}
