package dev.llmproxy.limits;

import dev.llmproxy.config.TrustedProxies;
import dev.llmproxy.net.IpLiteral;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client address a request is limited (and logged) by: the TCP peer, or, when the peer is a trusted proxy,
 * the address that proxy saw, from {@code X-Forwarded-For}.
 */
public final class ClientIp {

  public static final String FORWARDED_FOR = "X-Forwarded-For";

  private ClientIp() {}

  public static String resolve(HttpServerRequest request, TrustedProxies trusted) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (!trusted.contains(peer)) {
      return peer;
    }
    return fromForwardedFor(peer, request.headers().getAll(FORWARDED_FOR), trusted);
  }

  /**
   * Walks {@code X-Forwarded-For} from the right (the hop nearest to us) and takes the first address that is not
   * itself a trusted proxy. Entries left of it were written by the client and prove nothing, so a client cannot
   * choose its own bucket by sending the header. Without a usable entry, the nearest trusted hop is the answer.
   */
  static String fromForwardedFor(String peer, List<String> headerValues, TrustedProxies trusted) {
    List<String> hops = new ArrayList<>();
    for (String value : headerValues) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          hops.add(part.trim());
        }
      }
    }
    String nearest = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      Optional<String> address = normalize(hops.get(i));
      if (address.isEmpty()) {
        return nearest;
      }
      if (!trusted.contains(address.get())) {
        return address.get();
      }
      nearest = address.get();
    }
    return nearest;
  }

  /** A literal address in canonical text (so one client is one bucket), with an optional port stripped. */
  static Optional<String> normalize(String hop) {
    String h = hop;
    if (h.startsWith("[") && h.contains("]")) {
      h = h.substring(1, h.indexOf(']'));
    } else if (h.indexOf(':') > 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      h = h.substring(0, h.indexOf(':'));  // IPv4 with port
    }
    String literal = h;
    return IpLiteral.parse(literal).map(bytes -> {
      try {
        return InetAddress.getByAddress(bytes).getHostAddress();  // no DNS: built from bytes
      } catch (UnknownHostException e) {
        return literal;
      }
    });
  }
}
