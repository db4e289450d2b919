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
 * {@code concurrency.per_backend_limit}. The attempt core takes a slot before sending to a candidate
 * ({@link #acquireFirst}; {@link #tryAcquireAsync} for a same-route retry): a backend at its limit is skipped in
 * favour of the next candidate; when every candidate is at its limit, the request waits for one of them to free a
 * slot. Thread-safe.
 *
 * <p>With {@code cluster.per_backend_limit: fleet} the limit counts the whole fleet: {@link #share(Fleet)} adds a
 * fleet-wide lease to every slot. {@link #tryAcquireAsync} and {@link #acquireFirst} then ask the fleet before
 * granting; the synchronous {@link #tryAcquire} checks this replica's count and registers its lease unasked. A
 * request waiting for a fleet-full backend also asks again every {@link Fleet#recheck} (an expired lease frees a
 * slot without a message); each recheck counts against its wait, so the wait ends on time even on a clock that
 * stands still. Without a fleet nothing of that runs.
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

  /**
   * Fleet-wide leases (implemented by the cluster package). Each lease is released by running the
   * {@link Runnable} it came with, exactly once; a lease whose replica died expires on its own.
   */
  public interface Fleet {
    /** A lease on {@code backend} if the fleet holds fewer than {@code limit}; empty when it is at the limit. */
    Future<Optional<Runnable>> tryLease(String backend, int limit);

    /** A lease registered without asking (for the synchronous path): counted by the fleet, never refused. */
    Runnable leaseUnchecked(String backend);

    /** {@code listener} hears the name of a backend on which another replica may just have freed a slot. */
    void onFreed(java.util.function.Consumer<String> listener);

    /** How often a waiting request asks again anyway: an expired lease frees a slot without any message. */
    Duration recheck();
  }

  private final Vertx vertx;
  private volatile Fleet fleet;
  private final ConcurrentHashMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private final LongAdder backendWaitTimeouts = new LongAdder();

  public BackendSlots(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Counts every slot fleet-wide from now on. */
  public void share(Fleet fleet) {
    fleet.onFreed(this::wake);
    this.fleet = fleet;
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
    Optional<Slot> local = tryAcquireLocal(backend, limit);
    Fleet f = fleet;
    if (local.isEmpty() || f == null) {
      return local;
    }
    Runnable lease = f.leaseUnchecked(backend);
    return Optional.of(new Slot(() -> {
      lease.run();
      local.get().release();
    }));
  }

  /**
   * {@link #tryAcquire}, exact across the fleet: the slot is granted only if this replica is under {@code limit}
   * and the fleet's lease count is too. Without a fleet, {@link #tryAcquire} as a completed future.
   */
  public Future<Optional<Slot>> tryAcquireAsync(String backend, int limit) {
    Fleet f = fleet;
    if (f == null || limit <= 0) {
      return Future.succeededFuture(tryAcquire(backend, limit));
    }
    Optional<Slot> local = tryAcquireLocal(backend, limit);
    if (local.isEmpty()) {
      return Future.succeededFuture(local);
    }
    return f.tryLease(backend, limit).transform(ar -> {
      if (ar.failed() || ar.result().isEmpty()) {
        local.get().release();
        return ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture(Optional.<Slot>empty());
      }
      Runnable lease = ar.result().get();
      return Future.succeededFuture(Optional.of(new Slot(() -> {
        lease.run();
        local.get().release();
      })));
    });
  }

  private Optional<Slot> tryAcquireLocal(String backend, int limit) {
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
    return await(backends, limit, timeout, true);
  }

  /**
   * @param localCheck complete at once when this replica is under the limit somewhere; false in a fleet, where
   *     the local count says nothing and only a release (here or elsewhere) or the timeout ends the wait
   */
  private Wait await(Set<String> backends, int limit, Duration timeout, boolean localCheck) {
    Waiter w = new Waiter(Set.copyOf(backends), vertx.getOrCreateContext());
    synchronized (lock) {
      // Checked under the lock: a release either sees this waiter or happened before this check.
      for (String b : localCheck ? backends : Set.<String>of()) {
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
    Fleet f = fleet;
    if (f == null) {
      for (int i = from; i < backends.size(); i++) {
        Optional<Slot> slot = tryAcquire(backends.get(i), limit);
        if (slot.isPresent()) {
          return Future.succeededFuture(new Pick(i, slot.get()));
        }
      }
      return waitThenRetry(ctx, backends, from, limit, deadline, budget, null);
    }
    return firstInFleet(backends, from, limit).compose(pick -> pick != null
        ? Future.succeededFuture(pick)
        : waitThenRetry(ctx, backends, from, limit, deadline, budget, f));
  }

  /** The first candidate from {@code i} on with a fleet-wide slot, asked one after the other; null if none. */
  private Future<Pick> firstInFleet(List<String> backends, int i, int limit) {
    if (i >= backends.size()) {
      return Future.succeededFuture(null);
    }
    return tryAcquireAsync(backends.get(i), limit).compose(slot -> slot.isPresent()
        ? Future.succeededFuture(new Pick(i, slot.get()))
        : firstInFleet(backends, i + 1, limit));
  }

  private Future<Pick> waitThenRetry(RequestContext ctx, List<String> backends, int from, int limit,
      Instant deadline, Duration budget, Fleet f) {
    Duration left = Duration.between(ctx.scope().clock().instant(), deadline);
    String alias = ctx.alias() == null ? "?" : ctx.alias().name();
    if (left.isNegative() || left.isZero()) {
      backendWaitTimeouts.increment();
      return Future.failedFuture(LimitErrors.backendsBusy(alias, limit, budget));
    }
    if (ctx.clientGone()) {
      return Future.failedFuture(LimitErrors.clientGone());
    }
    Set<String> wanted = Set.copyOf(backends.subList(from, backends.size()));
    // In a fleet, wake up now and then to ask again: a dead replica's lease frees a slot without any message.
    Duration chunk = f == null || left.compareTo(f.recheck()) <= 0 ? left : f.recheck();
    Wait wait = f == null ? awaitCapacity(wanted, limit, chunk) : await(wanted, limit, chunk, false);
    ctx.scope().cancelled().onSuccess(v -> wait.cancel());  // a no-op once the wait is over
    return wait.ready().transform(ar -> {
      if (ar.succeeded()) {
        return acquireFirst(ctx, backends, from, limit, deadline, budget);
      }
      if (ar.cause() instanceof WaitTimedOut && chunk.compareTo(left) < 0) {
        // Only a recheck: ask the fleet again. The chunk waited counts even on a clock that stood still.
        Instant rest = ctx.scope().clock().instant().plus(left.minus(chunk));
        return acquireFirst(ctx, backends, from, limit, rest.isBefore(deadline) ? rest : deadline, budget);
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
    wake(backend);
  }

  /** Wakes the requests waiting for {@code backend}: a slot may be free (here, or in the fleet). */
  private void wake(String backend) {
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
