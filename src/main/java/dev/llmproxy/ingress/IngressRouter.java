package dev.llmproxy.ingress;

import static net.logstash.logback.argument.StructuredArguments.kv;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface. Proxied endpoints are served under {@code /v1} and without it (some clients put
 * {@code /v1} in their base URL, some do not); every response carries {@code X-Trace-ID}.
 */
public final class IngressRouter {

  private static final Map<String, Endpoint> PROXIED = Map.of(
      "/chat/completions", Endpoint.CHAT_COMPLETIONS,
      "/completions", Endpoint.COMPLETIONS,
      "/embeddings", Endpoint.EMBEDDINGS,
      "/responses", Endpoint.RESPONSES,
      "/messages", Endpoint.MESSAGES,
      "/messages/count_tokens", Endpoint.COUNT_TOKENS);

  private static final Logger LOG = LoggerFactory.getLogger(IngressRouter.class);

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
    // The OpenAI SDK's models.retrieve(id); an alias may contain slashes ("team/gpt-4").
    router.getWithRegex("/(?:v1/)?models/(?<id>.+)").handler(rc -> retrieveModel(rc, snapshots, rc.pathParam("id")));
    router.route().last().handler(rc -> {
      ApiError error = ApiError.of(ErrorKind.NOT_FOUND, "Unknown endpoint " + rc.request().method() + " "
          + rc.request().path() + ". Served: POST /v1/chat/completions, /v1/completions, /v1/embeddings, "
          + "/v1/responses, /v1/messages, /v1/messages/count_tokens; GET /v1/models, /v1/models/{model}, /health.");
      if (PROXIED.containsKey(rc.request().path().replaceFirst("^/v1", "")) && rc.request().method() != HttpMethod.POST) {
        error = ApiError.of(ErrorKind.METHOD_NOT_ALLOWED,
            "Method " + rc.request().method() + " not allowed on " + rc.request().path() + "; use POST.")
            .withHeaders(Map.of("Allow", "POST"));
      }
      ErrorResponses.send(rc.response(), protocolOf(rc), error);
    });
    // What the router itself refuses (a path it cannot decode: 400) or a handler that threw (500), as JSON too.
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, rc -> routerError(rc, status));
    }
    return router;
  }

  private static void routerError(RoutingContext rc, int status) {
    String traceId = rc.get("traceId") != null ? rc.get("traceId") : TraceIds.accept(null);
    ApiError error = switch (status) {
      case 400 -> ApiError.of(ErrorKind.INVALID_REQUEST, "Malformed request: " + rc.request().uri());
      case 404 -> ApiError.of(ErrorKind.NOT_FOUND, "Unknown endpoint " + rc.request().path() + ".");
      case 405 -> ApiError.of(ErrorKind.METHOD_NOT_ALLOWED, "Method " + rc.request().method() + " not allowed.");
      case 413 -> ApiError.of(ErrorKind.BODY_TOO_LARGE, "Request body too large.");
      default -> ApiError.of(ErrorKind.INTERNAL, "Internal proxy error (trace id " + traceId + ").");
    };
    if (status >= 500) {
      LOG.error("unexpected failure handling request {}", kv("trace_id", traceId), rc.failure());
    }
    if (rc.response().headWritten()) {
      rc.request().connection().close();  // an answer had started: cut it rather than let it pass for complete
      return;
    }
    rc.response().putHeader(TraceIds.HEADER, traceId);
    ErrorResponses.send(rc.response(), protocolOf(rc), error);
  }

  /** The Anthropic error shape for Anthropic paths and clients, the OpenAI one otherwise. */
  private static Protocol protocolOf(RoutingContext rc) {
    return rc.request().path().contains("/messages") || rc.request().getHeader("anthropic-version") != null
        ? Protocol.ANTHROPIC : Protocol.OPENAI;
  }

  /** The proxy key or a named client key, as the pipeline's {@link Authenticate} stage accepts them. */
  private static boolean authorized(RoutingContext rc, Snapshot snapshot) {
    if (snapshot.authRequired() && Authenticate.identify(rc.request(), snapshot).isEmpty()) {
      ErrorResponses.send(rc.response(), protocolOf(rc),
          ApiError.of(ErrorKind.AUTHENTICATION, "Invalid or missing proxy API key."));
      return false;
    }
    return true;
  }

  private static void listModels(RoutingContext rc, SnapshotHolder snapshots) {
    var snapshot = snapshots.current();
    if (snapshot.passthrough().enabled()) {
      rc.next();  // the transparent mode: the provider's own model list (see passthrough/)
      return;
    }
    if (!authorized(rc, snapshot)) {
      return;
    }
    if (rc.request().getHeader("anthropic-version") != null) {
      // The Anthropic SDKs always send this header; their models.list() expects Anthropic's page shape.
      json(rc, 200, ModelList.anthropic(snapshot.aliases().keySet(), snapshot.loadedAt()));
      return;
    }
    JsonArray data = new JsonArray();
    snapshot.aliases().keySet().forEach(alias -> data.add(model(alias, snapshot)));
    json(rc, 200, new JsonObject().put("object", "list").put("data", data));
  }

  private static void retrieveModel(RoutingContext rc, SnapshotHolder snapshots, String id) {
    var snapshot = snapshots.current();
    if (snapshot.passthrough().enabled()) {
      rc.next();  // the transparent mode: the provider's own model (see passthrough/)
      return;
    }
    if (!authorized(rc, snapshot)) {
      return;
    }
    if (!snapshot.aliases().containsKey(id)) {
      ErrorResponses.send(rc.response(), protocolOf(rc), ApiError.withParam(ErrorKind.MODEL_NOT_FOUND,
          "The model `" + id + "` does not exist. Available models: " + snapshot.aliases().keySet() + ".", "model"));
      return;
    }
    json(rc, 200, model(id, snapshot));
  }

  /** An alias in the OpenAI model object shape. */
  private static JsonObject model(String alias, Snapshot snapshot) {
    return new JsonObject().put("id", alias).put("object", "model")
        .put("created", snapshot.loadedAt().getEpochSecond()).put("owned_by", "llm-proxy");
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
