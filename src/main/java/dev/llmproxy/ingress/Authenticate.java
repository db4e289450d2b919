package dev.llmproxy.ingress;

import dev.llmproxy.config.Secret;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * Checks the proxy key, accepted the way each SDK sends it: {@code Authorization: Bearer} (OpenAI) or
 * {@code x-api-key} (Anthropic). The comparison is constant-time.
 */
public final class Authenticate implements Stage {

  @Override
  public String name() {
    return "authenticate";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    Secret key = ctx.snapshot().proxyApiKey();
    if (key == null || presents(ctx.request(), key)) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(ApiError.of(ErrorKind.AUTHENTICATION,
        "Invalid or missing proxy API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."));
  }

  public static boolean presents(HttpServerRequest request, Secret key) {
    String authorization = request.getHeader("authorization");
    boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && key.matches(authorization.substring(7).trim());
    // Evaluate both so timing does not reveal which header carried a near-miss.
    boolean apiKey = key.matches(request.getHeader("x-api-key"));
    return bearer | apiKey;
  }
}
