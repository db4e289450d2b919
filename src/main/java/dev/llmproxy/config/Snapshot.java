package dev.llmproxy.config;

import dev.llmproxy.detection.DetectionRules;
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
 * @param systemPrompts per-alias prompts, read with this snapshot so a request keeps its prompt to the end
 * @param reload how the config is watched for changes
 * @param detection what counts as a failed attempt, unless a backend overrides it
 * @param fallback retry budget, cooldowns and alias fallbacks
 * @param rateLimit {@code rate_limit:}; {@code concurrency:}; {@code trusted_proxies:} (see docs/traffic-control.md)
 * @param logging the {@code logging:} section, applied at start and on reload
 * @param shutdown the {@code shutdown:} section (drain timeout)
 * @param cluster the {@code cluster:} section (shared state through Redis); read at start only
 * @param clientKeys {@code client_keys:}, named keys clients may present besides {@code proxy_api_key}
 * @param passthrough {@code passthrough:}, the transparent mode (off when absent)
 * @param routingRules {@code routing_rules:}, evaluated in order before alias resolution
 * @param server the {@code server:} section: limits on client connections
 * @param capture the {@code capture:} section (traffic capture; off when absent)
 * @param ui the {@code ui:} section (the web UI at /ui/)
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
    SystemPrompts systemPrompts,
    ReloadSettings reload,
    DetectionRules detection,
    FallbackSettings fallback,
    RateLimitSettings rateLimit,
    ConcurrencySettings concurrency,
    TrustedProxies trustedProxies,
    LoggingSettings logging,
    ShutdownSettings shutdown,
    ClusterSettings cluster,
    java.util.Map<String, Secret> clientKeys,
    PassthroughSettings passthrough,
    dev.llmproxy.rules.RoutingRules routingRules,
    ServerSettings server,
    CaptureSettings capture,
    UiSettings ui) {

  /** The name a request authenticated with {@code proxy_api_key} has in routing rules and logs. */
  public static final String DEFAULT_KEY_NAME = "default";

  public Snapshot {
    backends = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backends));
    aliases = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(aliases));
    warnings = List.copyOf(warnings);
    clientKeys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(clientKeys));
  }

  /** The detection rules for one backend: its own override, or the global ones. */
  public DetectionRules detectionFor(Backend backend) {
    return backend.detection() != null ? backend.detection() : detection;
  }

  /** Bound of the whole request, L2 fallbacks included. */
  public java.time.Duration requestDeadline() {
    return fallback.totalTimeout() != null ? fallback.totalTimeout() : timeouts.total();
  }

  public Optional<Alias> alias(String name) {
    return Optional.ofNullable(aliases.get(name));
  }


  public boolean authRequired() {
    return proxyApiKey != null || !clientKeys.isEmpty();
  }

  /** The directory relative config paths resolve against. */
  public Path baseDir() {
    Path parent = configFile.toAbsolutePath().getParent();
    return parent == null ? Path.of(".").toAbsolutePath() : parent;
  }
}
