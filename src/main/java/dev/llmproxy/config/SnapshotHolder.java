package dev.llmproxy.config;

import java.util.concurrent.atomic.AtomicReference;

/** The live snapshot. Reads are lock-free; a reload swaps in a fully compiled snapshot in one step. */
public final class SnapshotHolder {

  private final AtomicReference<Snapshot> current;

  public SnapshotHolder(Snapshot initial) {
    this.current = new AtomicReference<>(initial);
  }

  public Snapshot current() {
    return current.get();
  }

  /** @return the snapshot that was live before */
  public Snapshot swap(Snapshot next) {
    return current.getAndSet(next);
  }
}
