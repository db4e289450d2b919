package dev.llmproxy.fallback;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Circuit state per route ({@code backend/model}), shared by every event loop and kept across config reloads.
 *
 * <p>A failure opens the circuit for a cooldown that starts short and doubles with each consecutive failure, up to
 * a cap. While open, the route receives nothing. When the cooldown has passed, exactly one request is let through
 * as a probe (others still skip the route): its success closes the circuit and resets the cooldown; its failure
 * re-opens it for longer. Failures reported while the circuit is already open (requests that were in flight when
 * it opened) do not lengthen it: they are the same outage.
 *
 * <p>In a fleet ({@code cluster:}), the circuits are shared through {@link #share(Fleet)}: this registry stays the
 * fast local view every decision reads, the fleet hears of every circuit this replica opens or closes, other
 * replicas' circuits are learnt through {@link #learnOpen}/{@link #learnClosed}, and the one probe is claimed
 * fleet-wide by {@link #admitAsync}. Without a fleet nothing of that runs.
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

  /**
   * The other replicas, when circuits are shared (implemented by the cluster package). Calls must not block:
   * the notifications are fire-and-forget, the probe claim answers asynchronously.
   */
  public interface Fleet {
    /** This replica opened or re-opened {@code route}; a probe it held is over. */
    void opened(String route, State state);

    /** This replica closed {@code route} (a success). */
    void closed(String route);

    /** The circuit is half-open here: true for exactly one claimant across the fleet until it reports back. */
    Future<Boolean> claimProbe(String route);

    /** This replica's probe ended without a verdict: another replica may probe. */
    void probeReleased(String route);

    /** After a lost claim, how long to treat the route as probed elsewhere without asking again. */
    Duration probeLease();
  }

  private final Map<String, State> states = new ConcurrentHashMap<>();
  /** Routes another replica is probing (a lost claim), until when; only ever filled with a fleet. */
  private final Map<String, Instant> probedElsewhere = new ConcurrentHashMap<>();
  private final Clock clock;
  private volatile Fleet fleet;

  public CooldownRegistry(Clock clock) {
    this.clock = clock;
  }

  /** Shares the circuits with a fleet from now on. */
  public void share(Fleet fleet) {
    this.fleet = fleet;
  }

  /**
   * {@link #admit}, with the probe claimed across the fleet: when this replica would send the probe, it does so
   * only if no other replica has claimed it. Without a fleet, {@link #admit} as an already completed future. A
   * route that is closed (the usual case) never costs a call to the fleet.
   */
  public Future<Admission> admitAsync(String route) {
    Admission local = admit(route);
    Fleet f = fleet;
    if (local != Admission.PROBE || f == null) {
      return Future.succeededFuture(local);
    }
    return f.claimProbe(route).map(won -> {
      if (won) {
        return Admission.PROBE;
      }
      // Another replica probes: undo the local claim without telling the fleet (the lease is not ours), and
      // count the route as probing, as a local probe would, until its outcome arrives or the lease could end.
      states.computeIfPresent(route,
          (key, state) -> state.probing() ? new State(state.failures(), state.until(), false) : state);
      probedElsewhere.put(route, clock.instant().plus(f.probeLease()));
      return Admission.COOLING;
    });
  }

  /**
   * Another replica opened {@code route} until {@code until} after {@code failures} consecutive failures. Keeps the
   * later end and the higher count, so messages arriving twice or out of order change nothing.
   */
  public void learnOpen(String route, int failures, Instant until) {
    probedElsewhere.remove(route);  // a re-opened circuit: whoever probed has its verdict
    states.merge(route, new State(failures, until, false), (mine, theirs) -> new State(
        Math.max(mine.failures(), theirs.failures()),
        mine.until().isAfter(theirs.until()) ? mine.until() : theirs.until(),
        mine.probing()));
  }

  /** Another replica's probe of {@code route} ended without a verdict: this replica may claim the next one. */
  public void learnProbeReleased(String route) {
    probedElsewhere.remove(route);
  }

  /** Another replica closed {@code route}. */
  public void learnClosed(String route) {
    probedElsewhere.remove(route);
    states.remove(route);
  }

  /** Every circuit this replica knows as open or half-open, by route (for re-syncing a fleet). */
  public Map<String, State> openCircuits() {
    return new TreeMap<>(states);
  }

  public Admission admit(String route) {
    Admission[] result = {Admission.ALLOWED};
    states.computeIfPresent(route, (key, state) -> {
      if (clock.instant().isBefore(state.until()) || state.probing() || probedElsewhere(route)) {
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
    return state != null && (clock.instant().isBefore(state.until()) || state.probing() || probedElsewhere(route));
  }

  private boolean probedElsewhere(String route) {
    if (probedElsewhere.isEmpty()) {
      return false;  // always, without a fleet
    }
    Instant until = probedElsewhere.get(route);
    return until != null && clock.instant().isBefore(until);
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
    probedElsewhere.remove(route);
    State was = states.remove(route);
    Fleet f = fleet;
    if (was != null && f != null) {
      f.closed(route);  // only a circuit this replica knew as open: the usual success costs the fleet nothing
    }
  }

  /**
   * Opens (or re-opens) the circuit.
   *
   * @param requested the provider's own wait (e.g. a long Retry-After), used instead of the doubling schedule
   * @return how long the route is now cooling
   */
  public Duration failure(String route, Duration requested, Duration initial, Duration cap) {
    Instant now = clock.instant();
    boolean[] changed = {false};
    State next = states.compute(route, (key, state) -> {
      if (state != null && now.isBefore(state.until()) && !state.probing()) {
        return state; // already open: same outage, reported by a request that was in flight
      }
      int failures = state == null ? 1 : state.failures() + 1;
      Duration cooldown = requested != null ? requested : doubling(initial, cap, failures);
      changed[0] = true;
      return new State(failures, now.plus(cooldown), false);
    });
    Fleet f = fleet;
    if (changed[0] && f != null) {
      probedElsewhere.remove(route);
      f.opened(route, next);
    }
    return Duration.between(now, next.until());
  }

  /** A probe that ended without a verdict (client left, budget spent): let the next request probe instead. */
  public void abandon(String route) {
    boolean[] wasProbing = {false};
    states.computeIfPresent(route, (key, state) -> {
      wasProbing[0] = state.probing();
      return state.probing() ? new State(state.failures(), state.until(), false) : state;
    });
    Fleet f = fleet;
    if (wasProbing[0] && f != null) {
      f.probeReleased(route);
    }
  }

  static Duration doubling(Duration initial, Duration cap, int failures) {
    long factor = 1L << Math.min(30, Math.max(0, failures - 1));
    Duration d = initial.multipliedBy(factor);
    return d.compareTo(cap) > 0 || d.isNegative() ? cap : d;
  }
}
