package dev.llmproxy.cluster;

import java.util.Locale;

/** Where a replica's limits and circuits live right now. */
enum ClusterMode {
  /** Shared with the fleet through Redis. */
  REDIS,
  /** This process only: Redis is unreachable (or slow), {@code on_unavailable} says what requests get. */
  LOCAL;

  /** The name in metrics and /livez. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
