package dev.llmproxy.limits;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Permission to have one request in flight. {@link #release()} may be called any number of times, from any
 * path (success, error, timeout, client abort); only the first call gives the permit back.
 */
public final class Slot {

  /** A slot that holds nothing, for requests no limit applies to. */
  public static final Slot NONE = new Slot(() -> { });

  private final Runnable onRelease;
  private final AtomicBoolean released = new AtomicBoolean();

  Slot(Runnable onRelease) {
    this.onRelease = onRelease;
  }

  public void release() {
    if (released.compareAndSet(false, true)) {
      onRelease.run();
    }
  }

  public boolean released() {
    return released.get();
  }
}
