package dev.llmproxy.limits;

import dev.llmproxy.config.Snapshot;
import io.github.bucket4j.TimeMeter;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.TreeMap;

/**
 * All traffic-control state, shared by every event loop and kept across reloads: rate buckets, the concurrency
 * gate and the per-backend counters. Also the gauges the metrics endpoint reads.
 */
public final class TrafficControl {

  /** Rejection counter names besides the rate limits' own ({@code per_ip}, {@code per_model}, {@code global}). */
  public static final String QUEUE_FULL = "queue_full";
  public static final String QUEUE_TIMEOUT = "queue_timeout";
  public static final String BACKEND_WAIT_TIMEOUT = "backend_wait_timeout";

  private final RateLimiters rates;
  private final ConcurrencyGate gate;
  private final BackendSlots backends;
  private volatile Snapshot applied;
  private volatile RateLimiters.Fleet fleetRates;

  public TrafficControl(Vertx vertx, Snapshot initial) {
    this(vertx, initial, TimeMeter.SYSTEM_NANOTIME);
  }

  public TrafficControl(Vertx vertx, Snapshot initial, TimeMeter time) {
    this.rates = new RateLimiters(initial.rateLimit(), time);
    this.gate = new ConcurrencyGate(vertx, initial.concurrency());
    this.backends = new BackendSlots(vertx);
    this.applied = initial;
  }

  /**
   * Applies a newly loaded snapshot's limits: changed rates take effect for the next request, unchanged buckets
   * keep their tokens, limits that were removed drop their buckets, a changed gate size applies at once.
   * The hot-reload listener calls this after swapping the snapshot.
   */
  public synchronized void reconfigure(Snapshot next) {
    applied = next;
    rates.reconfigure(next.rateLimit());
    gate.reconfigure(next.concurrency());
  }

  /**
   * Called with each request's pinned snapshot, so a reload takes effect even where nobody called
   * {@link #reconfigure}. A request still holding an older snapshot than the one applied changes nothing.
   */
  void sync(Snapshot pinned) {
    if (pinned == applied) {
      return;
    }
    synchronized (this) {
      if (pinned != applied && newer(pinned, applied)) {
        reconfigure(pinned);
      }
    }
  }

  private static boolean newer(Snapshot a, Snapshot b) {
    int byTime = a.loadedAt().compareTo(b.loadedAt());
    return byTime > 0 || (byTime == 0 && a.version() > b.version());
  }

  /**
   * From now on, rate limits are decided by the fleet's shared buckets, and, when {@code slots} is not null,
   * {@code concurrency.per_backend_limit} counts the whole fleet. The local limiters stay: they still follow
   * reloads and count rejections, and the fleet falls back on them while its shared state is unreachable.
   */
  public void share(RateLimiters.Fleet rates, BackendSlots.Fleet slots) {
    if (slots != null) {
      backends.share(slots);
    }
    this.fleetRates = rates;
  }

  /** The fleet's shared rate limits, or null in a single process. */
  public RateLimiters.Fleet fleetRates() {
    return fleetRates;
  }

  public RateLimiters rates() {
    return rates;
  }

  ConcurrencyGate gate() {
    return gate;
  }

  public BackendSlots backendSlots() {
    return backends;
  }

  /** Gauge: requests holding a gateway-wide concurrency slot. */
  public int inFlight() {
    return gate.inFlight();
  }

  /** Gauge: requests waiting for a concurrency slot (gateway-wide queue plus per-backend waits). */
  public int queued() {
    return gate.queued() + backends.waiting();
  }

  /** Counters: requests refused, by limit ({@code per_ip, per_model, global, queue_full, queue_timeout,
   * backend_wait_timeout}). */
  public Map<String, Long> rejections() {
    Map<String, Long> out = new TreeMap<>(rates.rejections());
    out.put(QUEUE_FULL, gate.queueFullRejections());
    out.put(QUEUE_TIMEOUT, gate.queueTimeoutRejections());
    out.put(BACKEND_WAIT_TIMEOUT, backends.waitTimeouts());
    return out;
  }
}
