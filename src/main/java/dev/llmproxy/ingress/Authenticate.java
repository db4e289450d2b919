package dev.llmproxy.ingress;

import dev.llmproxy.config.Secret;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the client's key, accepted the way each SDK sends it: {@code Authorization: Bearer} (OpenAI) or
 * {@code x-api-key} (Anthropic). The key is {@code proxy_api_key} (named "default") or one of the named
 * {@code client_keys}; the name is kept on the request for routing rules and logs. Comparisons are constant-time.
 */
public final class Authenticate implements Stage {

  @Override
  public String name() {
    return "authenticate";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    if (!ctx.snapshot().authRequired()) {
      return Future.succeededFuture();
    }
    Optional<String> name = identify(ctx.request(), ctx.snapshot());
    if (name.isPresent()) {
      ctx.clientKey(name.get());
      return Future.succeededFuture();
    }
    return Future.failedFuture(ApiError.of(ErrorKind.AUTHENTICATION,
        "Invalid or missing proxy API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'."));
  }

  /** The name of the key the request presents, if it presents a configured one. */
  public static Optional<String> identify(HttpServerRequest request, Snapshot snapshot) {
    String found = null;
    if (snapshot.proxyApiKey() != null && presents(request, snapshot.proxyApiKey())) {
      found = Snapshot.DEFAULT_KEY_NAME;
    }
    // Every key is compared, whichever matched: timing does not reveal which one (or whether one) came close.
    for (Map.Entry<String, Secret> key : snapshot.clientKeys().entrySet()) {
      if (presents(request, key.getValue()) && found == null) {
        found = key.getKey();
      }
    }
    return Optional.ofNullable(found);
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
