package dev.llmproxy.config;

import java.time.Duration;

/**
 * The {@code concurrency:} section.
 *
 * @param maxRequests requests allowed upstream at once, gateway-wide
 * @param maxQueueSize requests allowed to wait for a slot; 0 means no waiting (503 at once)
 * @param perBackendLimit requests allowed at once on one backend; 0 means no per-backend limit
 */
public record ConcurrencySettings(
    boolean enabled, int maxRequests, int maxQueueSize, Duration queueTimeout, int perBackendLimit) {

  public static final ConcurrencySettings DISABLED =
      new ConcurrencySettings(false, 500, 1000, Duration.ofSeconds(30), 100);

  /** The per-backend limit in force, or 0 when none applies. */
  public int backendLimit() {
    return enabled ? perBackendLimit : 0;
  }
}
