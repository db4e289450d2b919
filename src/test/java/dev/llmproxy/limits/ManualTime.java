package dev.llmproxy.limits;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A bucket4j clock that moves only when the test says so. */
final class ManualTime implements TimeMeter {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long currentTimeNanos() {
    return nanos.get();
  }

  @Override
  public boolean isWallClockBased() {
    return false;
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
