package dev.llmproxy.lifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxied requests in flight and the draining flag, shared by every event loop. A request is counted from
 * the first pipeline stage to its finish (the end of its response, streams included); once draining starts no
 * new request is counted, and {@link #whenIdle()} completes when the last counted one ends.
 */
public final class Drain {

  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Void> idle = new CompletableFuture<>();

  /**
   * Counts a new request in, unless draining. Incrementing before looking at the flag closes the race with
   * {@link #start()}: a request either is counted before the drain looks, or sees the flag and backs out.
   *
   * @return false when draining: the request must be refused
   */
  public boolean tryEnter() {
    inFlight.incrementAndGet();
    if (draining.get()) {
      exit();
      return false;
    }
    return true;
  }

  /** The end of a request counted by {@link #tryEnter()}; exactly once per successful enter. */
  public void exit() {
    if (inFlight.decrementAndGet() == 0 && draining.get()) {
      idle.complete(null);
    }
  }

  /** Starts draining: new requests are refused from now on. Idempotent. */
  public void start() {
    draining.set(true);
    if (inFlight.get() == 0) {
      idle.complete(null);
    }
  }

  public boolean draining() {
    return draining.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Completes once draining and nothing is in flight any more. */
  public CompletableFuture<Void> whenIdle() {
    return idle;
  }
}
