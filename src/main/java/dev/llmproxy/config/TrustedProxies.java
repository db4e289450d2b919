package dev.llmproxy.config;

import dev.llmproxy.net.IpLiteral;
import dev.llmproxy.net.IpRange;
import java.util.List;

/**
 * The {@code trusted_proxies:} list: peers (addresses or CIDR ranges) whose {@code X-Forwarded-For} is believed.
 * From any other peer the header is ignored, so a client cannot pick its own rate-limit bucket.
 */
public record TrustedProxies(List<IpRange> ranges) {

  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  public TrustedProxies {
    ranges = List.copyOf(ranges);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether {@code address} (a literal IP) falls in one of the ranges; false for anything unparsable. */
  public boolean contains(String address) {
    if (ranges.isEmpty()) {
      return false;
    }
    byte[] bytes = IpLiteral.parse(address).orElse(null);
    return bytes != null && ranges.stream().anyMatch(r -> r.contains(bytes));
  }
}
