package dev.llmproxy.lifecycle;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import java.util.Map;

/**
 * First pipeline stage: counts the request as in flight until it finishes, or, while the gateway drains,
 * refuses it with 503 in the client's protocol so the client (or its load balancer) retries elsewhere.
 */
public final class RefuseWhileDraining implements Stage {

  private final Drain drain;

  public RefuseWhileDraining(Drain drain) {
    this.drain = drain;
  }

  @Override
  public String name() {
    return "drain-gate";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    if (!drain.tryEnter()) {
      return Future.failedFuture(ApiError.of(ErrorKind.UNAVAILABLE,
              "llm-proxy is shutting down and accepts no new requests; retry on another instance.")
          .withHeaders(Map.of("Connection", "close", "Retry-After", "1")));
    }
    ctx.onFinish(drain::exit);
    return Future.succeededFuture();
  }
}
