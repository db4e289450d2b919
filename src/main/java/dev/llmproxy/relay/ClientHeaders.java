package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.upstream.HopByHopHeaders;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies an accepted upstream answer's status and headers to the client, plus the gateway's own headers. */
final class ClientHeaders {

  static final String BACKEND_HEADER = "X-LLM-Proxy-Backend";
  static final String MODEL_HEADER = "X-LLM-Proxy-Model";
  static final String ATTEMPTS_HEADER = "X-LLM-Proxy-Attempts";

  /** Framing is the proxy's own; provider cookies (CDN affinity) mean nothing to the proxy's clients. */
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "set-cookie", "x-trace-id");

  private ClientHeaders() {}

  /** An answer from {@code route}: its status and headers, and which route served it. */
  static void commit(RequestContext ctx, int status, MultiMap upstream, Candidate route) {
    HttpServerResponse response = ctx.response();
    response.setStatusCode(status);
    for (Map.Entry<String, String> h : upstream) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(name) && !HopByHopHeaders.isHopByHop(name, upstream)) {
        response.headers().add(h.getKey(), h.getValue());
      }
    }
    response.putHeader(BACKEND_HEADER, route.backend().name());
    response.putHeader(MODEL_HEADER, route.model());
    response.putHeader(ATTEMPTS_HEADER, String.valueOf(ctx.attempts().size()));
    ctx.status(status);
    ctx.servedBy(route);
  }

  /** A provider's error returned as is after every route failed: no route served it, so only its type is kept. */
  static void commitReturned(RequestContext ctx, int status, MultiMap upstream) {
    HttpServerResponse response = ctx.response().setStatusCode(status);
    String type = upstream.get("content-type");
    response.putHeader("Content-Type", type == null ? "application/json" : type);
    response.putHeader(ATTEMPTS_HEADER, String.valueOf(ctx.attempts().size()));
    ctx.status(status);
  }
}
