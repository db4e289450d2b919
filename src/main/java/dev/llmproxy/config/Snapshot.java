package dev.llmproxy.config;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable, fully validated view of the configuration. A request reads the live snapshot once, when it
 * arrives, and uses that one to the end, so a reload never mixes two versions inside one request.
 *
 * @param proxyApiKey the key clients must present, or null when authentication is off (loopback only)
 * @param aliases in document order
 * @param rateLimit {@code rate_limit:}; {@code concurrency:}; {@code trusted_proxies:} (see docs/traffic-control.md)
 */
public record Snapshot(
    long version,
    Instant loadedAt,
    Path configFile,
    String checksum,
    ListenAddress listen,
    Secret proxyApiKey,
    boolean allowUnauthenticated,
    ProxySettings proxy,
    Timeouts timeouts,
    Map<String, Backend> backends,
    Map<String, Alias> aliases,
    List<String> warnings,
    RateLimitSettings rateLimit,
    ConcurrencySettings concurrency,
    TrustedProxies trustedProxies) {

  public Snapshot {
    backends = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backends));
    aliases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(aliases));
    warnings = List.copyOf(warnings);
  }

  public Optional<Alias> alias(String name) {
    return Optional.ofNullable(aliases.get(name));
  }

  public Optional<Backend> backend(String name) {
    return Optional.ofNullable(backends.get(name));
  }

  public boolean authRequired() {
    return proxyApiKey != null;
  }

  /** The directory relative config paths resolve against. */
  public Path baseDir() {
    Path parent = configFile.toAbsolutePath().getParent();
    return parent == null ? Path.of(".").toAbsolutePath() : parent;
  }
}
