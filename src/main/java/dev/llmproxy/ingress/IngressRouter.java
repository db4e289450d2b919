package dev.llmproxy.ingress;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.limits.ClientIp;
import dev.llmproxy.observability.TraceIds;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.translation.ModelList;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The HTTP surface. Proxied endpoints are served under {@code /v1} and without it (some clients put
 * {@code /v1} in their base URL, some do not); every response carries {@code X-Trace-ID}.
 */
public final class IngressRouter {

  private static final Map<String, Endpoint> PROXIED = Map.of(
      "/chat/completions", Endpoint.CHAT_COMPLETIONS,
      "/completions", Endpoint.COMPLETIONS,
      "/embeddings", Endpoint.EMBEDDINGS,
      "/messages", Endpoint.MESSAGES,
      "/messages/count_tokens", Endpoint.COUNT_TOKENS);

  private IngressRouter() {}

  public static Router create(Vertx vertx, SnapshotHolder snapshots, ProxyPipeline pipeline) {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      rc.put("traceId", TraceIds.accept(rc.request().getHeader(TraceIds.HEADER)));
      rc.response().putHeader(TraceIds.HEADER, (String) rc.get("traceId"));
      rc.next();
    });

    PROXIED.forEach((path, endpoint) -> {
      for (String prefix : new String[] {"/v1", ""}) {
        router.post(prefix + path).handler(rc -> {
          HttpServerRequest request = rc.request();
          Snapshot snapshot = snapshots.current();
          RequestContext ctx = new RequestContext(rc.get("traceId"), snapshot, endpoint, request,
              ClientIp.resolve(request, snapshot.trustedProxies()), pipeline.clock());
          pipeline.handle(ctx);
        });
      }
    });
    for (String models : new String[] {"/v1/models", "/models"}) {
      router.get(models).handler(rc -> listModels(rc, snapshots));
    }
    router.route().last().handler(rc -> {
      boolean anthropic = rc.request().path().contains("/messages");
      ErrorKind kind = ErrorKind.NOT_FOUND;
      ApiError error = ApiError.of(kind, "Unknown endpoint " + rc.request().method() + " " + rc.request().path()
          + ". Served: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages, "
          + "/v1/messages/count_tokens; GET /v1/models, /health.");
      if (PROXIED.containsKey(rc.request().path().replaceFirst("^/v1", "")) && rc.request().method() != HttpMethod.POST) {
        error = ApiError.of(kind, "Method " + rc.request().method() + " not allowed on " + rc.request().path() + "; use POST.")
            .withStatus(405);
      }
      ErrorResponses.send(rc.response(), anthropic ? Protocol.ANTHROPIC : Protocol.OPENAI, error);
    });
    return router;
  }

  private static void listModels(RoutingContext rc, SnapshotHolder snapshots) {
    var snapshot = snapshots.current();
    if (snapshot.authRequired() && !Authenticate.presents(rc.request(), snapshot.proxyApiKey())) {
      boolean anthropic = rc.request().getHeader("anthropic-version") != null;
      ErrorResponses.send(rc.response(), anthropic ? Protocol.ANTHROPIC : Protocol.OPENAI,
          ApiError.of(ErrorKind.AUTHENTICATION, "Invalid or missing proxy API key."));
      return;
    }
    if (rc.request().getHeader("anthropic-version") != null) {
      // The Anthropic SDKs always send this header; their models.list() expects Anthropic's page shape.
      json(rc, 200, ModelList.anthropic(snapshot.aliases().keySet(), snapshot.loadedAt()));
      return;
    }
    long created = snapshot.loadedAt().getEpochSecond();
    JsonArray data = new JsonArray();
    snapshot.aliases().keySet().forEach(alias -> data.add(new JsonObject()
        .put("id", alias).put("object", "model").put("created", created).put("owned_by", "llm-proxy")));
    json(rc, 200, new JsonObject().put("object", "list").put("data", data));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
