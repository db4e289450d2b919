package dev.llmproxy.cluster;

import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;

/**
 * bucket4j's clock from the gateway's {@link Clock}. Shared buckets need wall-clock time (every replica computes
 * refills from the same stored state, so a per-process nanosecond counter would be meaningless), and tests drive
 * the gateway's clock by hand.
 */
final class ClockTimeMeter implements TimeMeter {

  private final Clock clock;

  ClockTimeMeter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public long currentTimeNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public boolean isWallClockBased() {
    return true;
  }
}
