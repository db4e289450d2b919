package dev.llmproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code trusted_proxies:} list: peers (addresses or CIDR ranges) whose {@code X-Forwarded-For} is believed.
 * From any other peer the header is ignored, so a client cannot pick its own rate-limit bucket.
 */
public record TrustedProxies(List<Range> ranges) {

  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  /** Literal addresses only: resolving a host name here would mean DNS on the request path. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  public TrustedProxies {
    ranges = List.copyOf(ranges);
  }

  /** One CIDR range; a plain address is a range of its full length. */
  public record Range(byte[] network, int prefix, String text) {

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** @throws IllegalArgumentException with a message fit for a config error */
  public static Range parseRange(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String host = slash < 0 ? t : t.substring(0, slash);
    byte[] address = literal(host)
        .orElseThrow(() -> new IllegalArgumentException("must be an IP address or CIDR range, got \"" + text + "\""));
    int prefix = address.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("invalid prefix length in \"" + text + "\"");
      }
    }
    return new Range(address, prefix, t);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether {@code address} (a literal IP) falls in one of the ranges; false for anything unparsable. */
  public boolean contains(String address) {
    if (ranges.isEmpty() || address == null) {
      return false;
    }
    byte[] bytes = literal(address).orElse(null);
    if (bytes == null) {
      return false;
    }
    for (Range r : ranges) {
      if (r.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Parses a literal IPv4/IPv6 address without DNS; IPv4-mapped IPv6 comes back as 4 bytes. */
  public static java.util.Optional<byte[]> literal(String text) {
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.isEmpty() || !LITERAL.matcher(t).matches()) {
      return java.util.Optional.empty();
    }
    if (t.indexOf(':') < 0) {
      return ipv4(t);
    }
    try {
      // With a ':' the JDK parses an IPv6 literal and never falls back to DNS.
      return java.util.Optional.of(InetAddress.getByName(t).getAddress());
    } catch (UnknownHostException e) {
      return java.util.Optional.empty();
    }
  }

  private static java.util.Optional<byte[]> ipv4(String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      return java.util.Optional.empty();
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3) {
        return java.util.Optional.empty();
      }
      int v;
      try {
        v = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        return java.util.Optional.empty();
      }
      if (v > 255) {
        return java.util.Optional.empty();
      }
      out[i] = (byte) v;
    }
    return java.util.Optional.of(out);
  }
}
