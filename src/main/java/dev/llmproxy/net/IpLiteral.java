package dev.llmproxy.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A literal IPv4 or IPv6 address, parsed and never looked up: a host name in a config or a header must not mean DNS
 * (on an event loop, or as a way to make the proxy send queries). IPv4 is parsed here, because the JDK resolves a
 * text that is not a valid IPv4 literal and has no colon ({@code 1.2.3.4.5}, {@code 300.1.1.1}) as a host name;
 * a text with a colon the JDK parses as an IPv6 literal, or refuses, without DNS.
 */
public final class IpLiteral {

  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private IpLiteral() {}

  /**
   * The address's bytes: 4 for IPv4 and IPv4-mapped IPv6, 16 for other IPv6; empty for anything that is not a
   * literal address. Surrounding whitespace and IPv6 brackets ({@code [::1]}) are allowed.
   */
  public static Optional<byte[]> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.isEmpty() || !LITERAL.matcher(t).matches()) {
      return Optional.empty();
    }
    if (t.indexOf(':') < 0) {
      return ipv4(t);
    }
    try {
      return Optional.of(InetAddress.getByName(t).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code text} is a literal loopback address: 127.0.0.0/8, {@code ::1}, or IPv4-mapped 127.x. */
  public static boolean isLoopback(String text) {
    return parse(text).map(IpLiteral::loopback).orElse(false);
  }

  private static boolean loopback(byte[] address) {
    if (address.length == 4) {
      return address[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[15] == 1;
  }

  private static Optional<byte[]> ipv4(String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      int v = Integer.parseInt(parts[i]);
      if (v > 255) {
        return Optional.empty();
      }
      out[i] = (byte) v;
    }
    return Optional.of(out);
  }
}
