package dev.llmproxy.limits;

import dev.llmproxy.config.ConcurrencySettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;

/**
 * At most {@code max_requests} requests in flight; the next ones wait in a FIFO queue of at most
 * {@code max_queue_size}, each for at most {@code queue_timeout}. Shared by every event loop: the state sits
 * behind one lock held only for a few field updates, and a waiter is completed on its own event loop. A waiting
 * request is a queue entry and a timer, never a thread.
 */
final class ConcurrencyGate {

  /** Why a request did not get a slot. */
  public enum Refusal { QUEUE_FULL, QUEUE_TIMEOUT, CANCELLED }

  /** Failure of {@link Ticket#slot()} when the gate refused the request. */
  public static final class Refused extends RuntimeException {
    private final Refusal reason;

    Refused(Refusal reason) {
      super(reason.name(), null, false, false);
      this.reason = reason;
    }

    public Refusal reason() {
      return reason;
    }
  }

  /** A request's place at the gate: its slot (now or later), and a way to leave the queue. */
  public interface Ticket {
    Future<Slot> slot();

    /** Leaves the queue if still waiting (the slot future then fails with CANCELLED); no-op once granted. */
    void cancel();
  }

  private final Vertx vertx;
  private final Object lock = new Object();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private final LongAdder queueFull = new LongAdder();
  private final LongAdder queueTimeouts = new LongAdder();
  private int inFlight;
  private ConcurrencySettings settings;

  public ConcurrencyGate(Vertx vertx, ConcurrencySettings initial) {
    this.vertx = vertx;
    this.settings = initial;
  }

  private final class Waiter implements Ticket {
    private final Context context;
    private final Promise<Slot> promise;
    private long timerId = -1;
    private boolean queued = true;

    Waiter(Context context) {
      this.context = context;
      this.promise = Promise.promise();
    }

    @Override
    public Future<Slot> slot() {
      return promise.future();
    }

    @Override
    public void cancel() {
      leave(this, Refusal.CANCELLED);
    }
  }

  private record Granted(Future<Slot> slot) implements Ticket {
    @Override
    public void cancel() {
      // Nothing to leave: the slot is released through the request's finish actions.
    }
  }

  /**
   * Asks for a slot. With the gate off, a no-op slot at once; with a free slot, that slot at once; otherwise a
   * place in the queue (or QUEUE_FULL at once). Call from the request's event loop: the slot future completes
   * on it.
   */
  public Ticket enter() {
    Waiter waiter;
    synchronized (lock) {
      ConcurrencySettings s = settings;
      if (!s.enabled()) {
        return new Granted(Future.succeededFuture(Slot.NONE));
      }
      if (inFlight < s.maxRequests() && queue.isEmpty()) {
        inFlight++;
        return new Granted(Future.succeededFuture(newSlot()));
      }
      if (queue.size() >= s.maxQueueSize()) {
        queueFull.increment();
        return new Granted(Future.failedFuture(new Refused(Refusal.QUEUE_FULL)));
      }
      waiter = new Waiter(vertx.getOrCreateContext());
      queue.addLast(waiter);
      // Set under the lock so a concurrent grant cannot miss cancelling it.
      Duration timeout = s.queueTimeout();
      waiter.timerId = waiter.context.owner().setTimer(Math.max(1, timeout.toMillis()),
          id -> leave(waiter, Refusal.QUEUE_TIMEOUT));
    }
    return waiter;
  }

  /** Applies new settings: a higher {@code max_requests} lets waiting requests in at once. */
  public void reconfigure(ConcurrencySettings next) {
    synchronized (lock) {
      settings = next;
      if (!next.enabled()) {
        // Everyone waiting goes through; slots already handed out still count until released.
        while (!queue.isEmpty()) {
          grant(queue.pollFirst(), Slot.NONE);
        }
        return;
      }
      drain();
    }
  }

  public ConcurrencySettings settings() {
    synchronized (lock) {
      return settings;
    }
  }

  /** Requests holding a slot now. */
  public int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /** Requests waiting for a slot now. */
  public int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** Requests answered 503 because the queue was full. */
  public long queueFullRejections() {
    return queueFull.sum();
  }

  /** Requests answered 503 because they waited {@code queue_timeout} without a slot. */
  public long queueTimeoutRejections() {
    return queueTimeouts.sum();
  }

  private Slot newSlot() {
    return new Slot(this::release);
  }

  private void release() {
    synchronized (lock) {
      inFlight--;
      drain();
    }
  }

  /** Hands free slots to the head of the queue. Caller holds the lock. */
  private void drain() {
    while (!queue.isEmpty() && inFlight < settings.maxRequests()) {
      inFlight++;
      grant(queue.pollFirst(), newSlot());
    }
  }

  /** Caller holds the lock and has already taken the waiter off the queue. */
  private void grant(Waiter w, Slot slot) {
    w.queued = false;
    if (w.timerId >= 0) {
      vertx.cancelTimer(w.timerId);
    }
    w.context.runOnContext(v -> w.promise.complete(slot));
  }

  private void leave(Waiter w, Refusal reason) {
    synchronized (lock) {
      if (!w.queued) {
        return;
      }
      w.queued = false;
      for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
        if (it.next() == w) {
          it.remove();
          break;
        }
      }
      if (w.timerId >= 0) {
        vertx.cancelTimer(w.timerId);
      }
      if (reason == Refusal.QUEUE_TIMEOUT) {
        queueTimeouts.increment();
      }
    }
    w.context.runOnContext(v -> w.promise.tryFail(new Refused(reason)));
  }
}
