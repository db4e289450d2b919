package dev.llmproxy.limits;

import dev.llmproxy.pipeline.RequestContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests in flight per backend (by backend name, so counts survive reloads), for
 * {@code concurrency.per_backend_limit}. The attempt loop asks {@link #tryAcquire} before sending to a
 * candidate: a backend at its limit is skipped in favour of the next candidate; when every candidate is at its
 * limit, the request waits ({@link #awaitCapacity}) for one of them to free a slot. Thread-safe.
 */
public final class BackendSlots {

  /** Failure of {@link Wait#ready()} when the wait ran out of time. */
  public static final class WaitTimedOut extends RuntimeException {
    WaitTimedOut() {
      super("per-backend wait timed out", null, false, false);
    }
  }

  /** A pending {@link #awaitCapacity}: completes when a slot may be free, fails on timeout. */
  public interface Wait {
    Future<Void> ready();

    /** Stops waiting (client gone); the future then fails. No-op once completed. */
    void cancel();
  }

  private final Vertx vertx;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private final LongAdder backendWaitTimeouts = new LongAdder();

  public BackendSlots(Vertx vertx) {
    this.vertx = vertx;
  }

  private final class Waiter implements Wait {
    private final Set<String> backends;
    private final Context context;
    private final Promise<Void> promise = Promise.promise();
    private long timerId = -1;
    private boolean waiting = true;

    Waiter(Set<String> backends, Context context) {
      this.backends = backends;
      this.context = context;
    }

    @Override
    public Future<Void> ready() {
      return promise.future();
    }

    @Override
    public void cancel() {
      finish(this, new IllegalStateException("cancelled"));
    }
  }

  /**
   * Takes a slot on {@code backend} if fewer than {@code limit} requests are in flight there.
   *
   * @param limit 0 or less: no limit (the slot is still counted, for the gauge)
   * @return the slot, to release when the attempt is over; empty when the backend is at its limit
   */
  public Optional<Slot> tryAcquire(String backend, int limit) {
    AtomicInteger count = inFlight.computeIfAbsent(backend, k -> new AtomicInteger());
    while (true) {
      int n = count.get();
      if (limit > 0 && n >= limit) {
        return Optional.empty();
      }
      if (count.compareAndSet(n, n + 1)) {
        return Optional.of(new Slot(() -> release(backend, count)));
      }
    }
  }

  /**
   * Completes once one of {@code backends} is below {@code limit} (at once if one already is), or fails with
   * {@link WaitTimedOut} after {@code timeout}. Completion says "try again", not "you have a slot": another
   * request may take it first, and then the caller waits again. Call from the request's event loop.
   */
  public Wait awaitCapacity(Set<String> backends, int limit, Duration timeout) {
    Waiter w = new Waiter(Set.copyOf(backends), vertx.getOrCreateContext());
    synchronized (lock) {
      // Checked under the lock: a release either sees this waiter or happened before this check.
      for (String b : backends) {
        if (inFlight(b) < limit) {
          w.waiting = false;
          w.promise.complete();
          return w;
        }
      }
      waiters.add(w);
      w.timerId = w.context.owner().setTimer(Math.max(1, timeout.toMillis()), id -> finish(w, new WaitTimedOut()));
    }
    return w;
  }

  /** The candidate an attempt goes to, and its backend slot. */
  public record Pick(int index, Slot slot) {}

  /**
   * For the attempt loop: a slot on the first candidate, from {@code from} on, whose backend is under
   * {@code limit}. Candidates at their limit are skipped, not failed. When all of them are at their limit the
   * request waits (no thread held) until one frees a slot, for at most {@code budget}; then it fails with a 503
   * {@link dev.llmproxy.protocol.ApiError} carrying Retry-After. A client that leaves stops the wait.
   *
   * @param backends the backend name of each candidate, in plan order
   */
  public Future<Pick> acquireFirst(
      RequestContext ctx, List<String> backends, int from, int limit, Duration budget) {
    Instant deadline = ctx.scope().clock().instant().plus(budget);
    return acquireFirst(ctx, backends, from, limit, deadline, budget);
  }

  private Future<Pick> acquireFirst(
      RequestContext ctx, List<String> backends, int from, int limit, Instant deadline, Duration budget) {
    for (int i = from; i < backends.size(); i++) {
      Optional<Slot> slot = tryAcquire(backends.get(i), limit);
      if (slot.isPresent()) {
        return Future.succeededFuture(new Pick(i, slot.get()));
      }
    }
    Duration left = Duration.between(ctx.scope().clock().instant(), deadline);
    String alias = ctx.alias() == null ? "?" : ctx.alias().name();
    if (left.isNegative() || left.isZero()) {
      backendWaitTimeouts.increment();
      return Future.failedFuture(LimitErrors.backendsBusy(alias, limit, budget));
    }
    if (ctx.clientGone()) {
      return Future.failedFuture(LimitErrors.clientGone());
    }
    Wait wait = awaitCapacity(Set.copyOf(backends.subList(from, backends.size())), limit, left);
    ctx.scope().cancelled().onSuccess(v -> wait.cancel());  // a no-op once the wait is over
    return wait.ready().transform(ar -> {
      if (ar.succeeded()) {
        return acquireFirst(ctx, backends, from, limit, deadline, budget);
      }
      if (ar.cause() instanceof WaitTimedOut) {
        backendWaitTimeouts.increment();
        return Future.failedFuture(LimitErrors.backendsBusy(alias, limit, budget));
      }
      return Future.failedFuture(LimitErrors.clientGone());
    });
  }

  /** Requests answered 503 because every candidate backend stayed at its limit. */
  public long waitTimeouts() {
    return backendWaitTimeouts.sum();
  }

  /** Requests in flight on {@code backend} now. */
  public int inFlight(String backend) {
    AtomicInteger n = inFlight.get(backend);
    return n == null ? 0 : n.get();
  }

  /** Requests in flight per backend now (backends seen since start). */
  public Map<String, Integer> inFlightByBackend() {
    Map<String, Integer> out = new TreeMap<>();
    inFlight.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Requests waiting for a backend slot now. */
  public int waiting() {
    synchronized (lock) {
      return waiters.size();
    }
  }

  private void release(String backend, AtomicInteger count) {
    count.decrementAndGet();
    List<Waiter> wake = new ArrayList<>();
    synchronized (lock) {
      if (waiters.isEmpty()) {
        return;
      }
      // Wake everyone interested in this backend: they race for the slot and the losers wait again. Waking
      // one alone could hand the wake-up to a request another release already served.
      for (var it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.backends.contains(backend)) {
          it.remove();
          w.waiting = false;
          if (w.timerId >= 0) {
            vertx.cancelTimer(w.timerId);
          }
          wake.add(w);
        }
      }
    }
    wake.forEach(w -> w.context.runOnContext(v -> w.promise.tryComplete()));
  }

  private void finish(Waiter w, Throwable failure) {
    synchronized (lock) {
      if (!w.waiting) {
        return;
      }
      w.waiting = false;
      waiters.remove(w);
      if (w.timerId >= 0) {
        vertx.cancelTimer(w.timerId);
      }
    }
    w.context.runOnContext(v -> w.promise.tryFail(failure));
  }
}
