package dev.llmproxy.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}) a client IP is matched against. */
public final class IpRange {

  /** Literal addresses only: resolving a host name would mean DNS on the request path. */
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private IpRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** @throws IllegalArgumentException with a message fit for a config error */
  public static IpRange parse(String text) {
    String t = text == null ? "" : text.trim();
    int slash = t.indexOf('/');
    byte[] address = literal(slash < 0 ? t : t.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("must be an IP address or CIDR range, got \"" + text + "\"");
    }
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
    return new IpRange(address, prefix, t);
  }

  public boolean contains(String ip) {
    byte[] address = ip == null ? null : literal(ip);
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return rest == 0 || (address[full] & mask) == (network[full] & mask);
  }

  private static byte[] literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.isEmpty() || !LITERAL.matcher(h).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(h).getAddress();  // a literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpRange r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
