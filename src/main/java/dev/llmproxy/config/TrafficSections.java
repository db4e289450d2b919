package dev.llmproxy.config;

import dev.llmproxy.net.IpRange;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the traffic-control sections ({@code rate_limit:}, {@code concurrency:}, {@code trusted_proxies:}).
 * Kept apart from {@link ConfigCompiler} so that file only has to call in. Absent sections mean "off".
 */
final class TrafficSections {

  static final Set<String> RATE_LIMIT_KEYS = Set.of(
      "enabled", "global_rps", "per_ip_rps", "burst_factor", "per_model_rps", "per_key_rps", "max_tracked_ips");
  static final Set<String> CONCURRENCY_KEYS = Set.of(
      "enabled", "max_requests", "max_queue_size", "queue_timeout", "per_backend_limit");

  private TrafficSections() {}

  static RateLimitSettings rateLimit(ConfigNode node, Set<String> aliases) {
    if (node.isMissing()) {
      return RateLimitSettings.DISABLED;
    }
    if (!node.isMap()) {
      node.error("must be a mapping (enabled, global_rps, per_ip_rps, burst_factor, per_model_rps)");
      return RateLimitSettings.DISABLED;
    }
    node.warnUnknownKeys(RATE_LIMIT_KEYS);
    RateLimitSettings d = RateLimitSettings.DISABLED;
    boolean enabled = node.get("enabled").bool(true);
    long global = rate(node.get("global_rps"), d.globalRps());
    long perIp = rate(node.get("per_ip_rps"), d.perIpRps());
    double burst = node.get("burst_factor").decimal(d.burstFactor());
    if (!(burst > 0) || burst > 1000) {
      node.get("burst_factor").error("must be a number above 0 (capacity = rps × burst_factor), got " + burst);
      burst = d.burstFactor();
    }
    Map<String, Long> perModel = new LinkedHashMap<>();
    node.get("per_model_rps").entries().forEach((alias, rateNode) -> {
      if (!aliases.contains(alias)) {
        rateNode.warn("no model alias \"" + alias + "\" is defined; this limit never applies");
      }
      perModel.put(alias, rate(rateNode, 0));
    });
    // Only one client key exists today (proxy_api_key), so a per-key limit would be the global limit under
    // another name. Refuse it rather than accept a setting that silently does nothing.
    if (!node.get("per_key_rps").entries().isEmpty()) {
      node.get("per_key_rps").error("not supported yet: the gateway has a single client key (proxy_api_key);"
          + " use global_rps, or leave per_key_rps empty");
    }
    long maxIps = node.get("max_tracked_ips").integer(d.maxTrackedIps());
    if (maxIps < 1 || maxIps > 10_000_000) {
      node.get("max_tracked_ips").error("must be from 1 to 10000000, got " + maxIps);
      maxIps = d.maxTrackedIps();
    }
    return new RateLimitSettings(enabled, global, perIp, burst, perModel, maxIps);
  }

  private static long rate(ConfigNode node, long fallback) {
    long rps = node.integer(fallback);
    if (rps < 0 || rps > 1_000_000_000L) {
      node.error("must be a whole number of requests per second from 0 (no limit) up, got " + rps);
      return fallback;
    }
    return rps;
  }

  static ConcurrencySettings concurrency(ConfigNode node) {
    if (node.isMissing()) {
      return ConcurrencySettings.DISABLED;
    }
    if (!node.isMap()) {
      node.error("must be a mapping (enabled, max_requests, max_queue_size, queue_timeout, per_backend_limit)");
      return ConcurrencySettings.DISABLED;
    }
    node.warnUnknownKeys(CONCURRENCY_KEYS);
    ConcurrencySettings d = ConcurrencySettings.DISABLED;
    boolean enabled = node.get("enabled").bool(true);
    int max = bounded(node.get("max_requests"), d.maxRequests(), 1);
    int queue = bounded(node.get("max_queue_size"), d.maxQueueSize(), 0);
    Duration timeout = ConfigCompiler.positive(node.get("queue_timeout"), d.queueTimeout());
    int perBackend = bounded(node.get("per_backend_limit"), d.perBackendLimit(), 0);
    return new ConcurrencySettings(enabled, max, queue, timeout, perBackend);
  }

  private static int bounded(ConfigNode node, int fallback, int min) {
    long v = node.integer(fallback);
    if (v < min || v > 1_000_000) {
      node.error("must be a whole number from " + min + " to 1000000, got " + v);
      return fallback;
    }
    return (int) v;
  }

  static TrustedProxies trustedProxies(ConfigNode node) {
    if (node.isMissing()) {
      return TrustedProxies.NONE;
    }
    List<IpRange> ranges = new java.util.ArrayList<>();
    for (ConfigNode item : node.items()) {
      String text = item.string();
      if (text == null || text.isBlank()) {
        item.error("must be an IP address or CIDR range");
        continue;
      }
      try {
        ranges.add(IpRange.parse(text));
      } catch (IllegalArgumentException e) {
        item.error(e.getMessage());
      }
    }
    return new TrustedProxies(ranges);
  }
}
