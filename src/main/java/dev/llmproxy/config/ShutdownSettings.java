package dev.llmproxy.config;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code shutdown:} section.
 *
 * @param drainTimeout after SIGTERM/SIGINT, how long requests and streams in flight may still run before the
 *     process exits anyway
 */
public record ShutdownSettings(Duration drainTimeout) {

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public static ShutdownSettings defaults() {
    return new ShutdownSettings(DEFAULT_DRAIN_TIMEOUT);
  }

  static ShutdownSettings compile(ConfigNode node) {
    node.warnUnknownKeys(Set.of("drain_timeout"));
    // Zero is allowed: exit as soon as the signal arrives, cutting what is in flight.
    return new ShutdownSettings(node.get("drain_timeout").duration(DEFAULT_DRAIN_TIMEOUT));
  }
}
