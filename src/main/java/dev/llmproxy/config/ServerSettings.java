package dev.llmproxy.config;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code server:} section: limits on the clients' own connections, so a client that sends nothing, sends
 * its headers or body slowly, or opens connection after connection cannot hold the proxy's resources forever.
 * None of them ever cuts a request in progress once its body arrived: a stream runs as long as it needs.
 * A zero turns the limit off.
 *
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param headerTimeout from a connection's first byte (or the first byte of its next request) to the end of
 *     the request's headers
 * @param bodyTimeout from the end of a request's headers to the end of its body
 * @param maxConnections client connections open at once, all event loops together
 */
public record ServerSettings(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout, int maxConnections) {

  public static final ServerSettings DEFAULTS =
      new ServerSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(60), 4096);

  static final Set<String> KEYS = Set.of("idle_timeout", "header_timeout", "body_timeout", "max_connections");

  static ServerSettings compile(ConfigNode node) {
    node.warnUnknownKeys(KEYS);
    long max = node.get("max_connections").integer(DEFAULTS.maxConnections());
    if (max < 0 || max > Integer.MAX_VALUE) {
      node.get("max_connections").error("must be zero (no limit) or a positive whole number, got " + max);
      max = DEFAULTS.maxConnections();
    }
    return new ServerSettings(
        node.get("idle_timeout").duration(DEFAULTS.idleTimeout()),
        node.get("header_timeout").duration(DEFAULTS.headerTimeout()),
        node.get("body_timeout").duration(DEFAULTS.bodyTimeout()),
        (int) max);
  }
}
