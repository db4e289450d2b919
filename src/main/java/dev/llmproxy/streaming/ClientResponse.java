package dev.llmproxy.streaming;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.upstream.HopByHopHeaders;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies an accepted upstream response's status and headers to the client, plus the gateway's own headers. */
public final class ClientResponse {

  public static final String BACKEND_HEADER = "X-LLM-Proxy-Backend";
  public static final String MODEL_HEADER = "X-LLM-Proxy-Model";
  public static final String ATTEMPTS_HEADER = "X-LLM-Proxy-Attempts";

  /** Framing is the proxy's own; provider cookies (CDN affinity) mean nothing to the proxy's clients. */
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "set-cookie", "x-trace-id");

  private ClientResponse() {}

  public static void commitHeaders(RequestContext ctx, UpstreamExchange exchange) {
    HttpServerResponse response = ctx.response();
    response.setStatusCode(exchange.status());
    MultiMap upstream = exchange.headers();
    for (Map.Entry<String, String> h : upstream) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(name) && !HopByHopHeaders.isHopByHop(name, upstream)) {
        response.headers().add(h.getKey(), h.getValue());
      }
    }
    response.putHeader(BACKEND_HEADER, exchange.candidate().backend().name());
    response.putHeader(MODEL_HEADER, exchange.candidate().model());
    response.putHeader(ATTEMPTS_HEADER, String.valueOf(ctx.attempts().size()));
    ctx.status(exchange.status());
    ctx.servedBy(exchange.candidate());
  }
}
