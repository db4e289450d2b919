package dev.llmproxy.config;

import java.time.Duration;

/**
 * How the live config is watched. {@code watchInterval}: how often the config file and the prompt directory
 * are checked for changes ({@code proxy.watch_interval}); zero turns watching off, leaving SIGHUP and
 * {@code POST /admin/reload}.
 */
public record ReloadSettings(Duration watchInterval) {

  static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(1);
  private static final Duration SHORTEST = Duration.ofMillis(50);

  /** The defaults; for snapshots built by hand (tests of other stages). */
  public static ReloadSettings defaults() {
    return new ReloadSettings(DEFAULT_WATCH_INTERVAL);
  }

  static ReloadSettings compile(ConfigNode proxy) {
    ConfigNode node = proxy.get("watch_interval");
    Duration interval = node.duration(DEFAULT_WATCH_INTERVAL);
    if (!interval.isZero() && interval.compareTo(SHORTEST) < 0) {
      node.error("must be 0 (off) or at least 50ms, got " + Durations.format(interval));
      interval = DEFAULT_WATCH_INTERVAL;
    }
    return new ReloadSettings(interval);
  }

  public boolean watching() {
    return !watchInterval.isZero();
  }
}
