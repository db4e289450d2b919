package dev.llmproxy.upstream;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Set;

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), and must not be forwarded. */
public final class HopByHopHeaders {

  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade", "http2-settings");

  private HopByHopHeaders() {}

  public static boolean isHopByHop(String name, MultiMap headers) {
    return isHopByHop(name, headers.getAll("connection"));
  }

  /** @param connection the values of the message's Connection headers, which may name further such headers */
  public static boolean isHopByHop(String name, java.util.List<String> connection) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (HOP_BY_HOP.contains(lower)) {
      return true;
    }
    for (String listed : connection) {
      for (String token : listed.split(",")) {
        if (token.trim().equalsIgnoreCase(lower)) {
          return true;
        }
      }
    }
    return false;
  }
}
