package dev.llmproxy;

import dev.llmproxy.admin.AdminApi;
import dev.llmproxy.bedrock.Bedrock;
import dev.llmproxy.bedrock.BedrockRoutes;
import dev.llmproxy.bridge.AnswerTranslation;
import dev.llmproxy.bridge.BackendBody;
import dev.llmproxy.bridge.EstimatedTokenCount;
import dev.llmproxy.capture.api.CaptureApi;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.fallback.Forward;
import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.ingress.ApplyRoutingRules;
import dev.llmproxy.ingress.Authenticate;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.ingress.FindAlias;
import dev.llmproxy.ingress.IngressRouter;
import dev.llmproxy.ingress.ParseRequest;
import dev.llmproxy.ingress.ReadBody;
import dev.llmproxy.lifecycle.RefuseWhileDraining;
import dev.llmproxy.limits.AcquireSlot;
import dev.llmproxy.limits.AdmitRateLimits;
import dev.llmproxy.observability.AccessLog;
import dev.llmproxy.observability.OpsEndpoints;
import dev.llmproxy.passthrough.Passthrough;
import dev.llmproxy.passthrough.PassthroughModel;
import dev.llmproxy.passthrough.PassthroughRoutes;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.prompts.InjectSystemPrompt;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.relay.RawReader;
import dev.llmproxy.relay.RawRelay;
import dev.llmproxy.relay.Relay;
import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.relay.UsageObserver;
import dev.llmproxy.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** One event loop's share of the gateway: an HTTP server on the shared port, an upstream client, the pipeline. */
final class GatewayVerticle extends VerticleBase {

  private final GatewayServices services;
  private final String host;
  private final int port;
  private final IntConsumer onBound;
  private final GatewayHooks hooks;
  private UpstreamClient upstream;

  /** @param onBound receives the port actually bound (the shared random one when {@code port} is negative) */
  public GatewayVerticle(GatewayServices services, String host, int port, IntConsumer onBound, GatewayHooks hooks) {
    this.services = services;
    this.host = host;
    this.port = port;
    this.onBound = onBound;
    this.hooks = hooks;
  }

  /**
   * The request path, top to bottom: stages, then forward → relay, then the finish step. Each step may answer the
   * client with an error and stop the rest; the finish step runs for every request.
   */
  private ProxyPipeline pipeline() {
    return new ProxyPipeline(services.clock(), hooks.stages().apply(
        List.of(
            new RefuseWhileDraining(services.drain()),       // 503 once shutdown started; counts in-flight
            new Authenticate(),                              // 401 without the proxy key
            services.capture().stage(),                      // capture this request (capture.enabled): one record
            new ReadBody(vertx),                             // 413 over proxy.max_body_bytes, 408 over body_timeout
            new ParseRequest(),                              // 400 bad JSON / no model
            new ApplyRoutingRules(),                         // routing_rules: first match sets the model alias
            new FindAlias(),                                 // 404 unknown alias (or marked for passthrough)
            new AdmitRateLimits(services.traffic()),         // 429 over a per-IP / per-model / global rate
            new AcquireSlot(services.traffic()),             // 503 queue full or queue timeout; held to the end
            new InjectSystemPrompt())),                      // the alias' system prompt, per its mode
        new Forward(vertx, upstream, services.resolver(),   // plan → attempts (lease, send, judge, retry policy)
            services.cooldowns(), services.traffic().backendSlots(),
            new BackendBody(                                 // the route's protocol (translated), demotion, then
                PrepareBody.REAL_MODEL.forBackendType(BackendType.BEDROCK, Bedrock.BODY)),  // its model / format
            new EstimatedTokenCount(vertx)),                 // count_tokens on an OpenAI route: an estimate
        new Relay(observers(), AnswerTranslation::forRoute), // the only writer of routed answers, in the client's
                                                             // protocol
        this::answerError,
        this::finish)
        .divert(Passthrough::marked,                         // transparent mode: unchanged to the provider
            new Passthrough(upstream), rawRelay());
  }

  /** Paths the proxy does not model (/v1/responses, ...) and Bedrock calls, in the transparent mode. */
  private ProxyPipeline passthroughPipeline() {
    return new ProxyPipeline(services.clock(), hooks.stages().apply(
        List.of(
            new RefuseWhileDraining(services.drain()),
            new Authenticate(),
            services.capture().stage(),                      // captured like a routed request: one record
            new ReadBody(vertx),
            new PassthroughModel(),                          // the body's model, if JSON names one (read only)
            new AdmitRateLimits(services.traffic()),
            new AcquireSlot(services.traffic()))),
        new Passthrough(upstream),                           // the client's request, one try
        rawRelay(),                                          // the provider's answer, byte for byte
        this::answerError,
        this::finish);
  }

  /**
   * Opened for every request's answer, routed or passed through: token usage, then this gateway's capture (which
   * sees what was sent and what the client received).
   */
  private List<RelayObserver.Factory> observers() {
    return hooks.relayObservers().apply(List.of(UsageObserver.FACTORY, services.capture().observer()));
  }

  private RawRelay rawRelay() {
    return new RawRelay(vertx, observers(),
        List.of(services.bedrock().eventStreamReader(), RawReader.SSE, RawReader.JSON));
  }

  private Future<Void> answerError(RequestContext ctx, ApiError error) {
    return ErrorResponses.send(ctx.response(), ctx.protocol(), error);
  }

  /** The finish step: access log line, metrics. */
  private void finish(RequestContext ctx) {
    AccessLog.write(ctx);
    services.metrics().requestFinished(ctx);
  }

  @Override
  public Future<?> start() {
    upstream = new UpstreamClient(vertx, services.echo()::baseUrl,
        Map.of(BackendType.BEDROCK, services.bedrock().wire(vertx)));
    ProxyPipeline routed = pipeline();
    ProxyPipeline passthrough = passthroughPipeline();
    // An exception no future caught (a bug in a callback) answers its request with a 500 instead of hanging it,
    // whichever pipeline serves the request.
    context.exceptionHandler(error -> ProxyPipeline.uncaught(List.of(routed, passthrough), error));
    var router = IngressRouter.create(vertx, services.snapshots(), routed);
    BedrockRoutes.mount(router, services.snapshots(), passthrough, services.bedrock());  // /model/{id}/invoke...
    PassthroughRoutes.mount(router, services.snapshots(), passthrough);               // any other /v1 path
    AdminApi.mount(router, services.snapshots(), services.config());
    // /admin/requests, /admin/sessions, /admin/stats over the capture store
    CaptureApi.mount(router, vertx, services.snapshots(), services.capture().store(), services.clock());
    // /health /livez /metrics
    OpsEndpoints.mount(router, services.snapshots(), services.metrics(), services.drain()::draining);
    services.ui().mount(router, vertx);                      // the web UI at /ui/ (docs/ui.md)
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        // Clients speak HTTP/1.1 to an LLM API; an `Upgrade: h2c` header must not switch protocols mid-proxy.
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        // Every response is written on its request's event loop (the pipeline, relays, timers and the UI's live
        // feed all run there; Redis and JDBC results hop back to it first), so a connection needs no thread-safe
        // outbound queue: strict mode writes straight to the channel. Measured: 8 KB less heap per client
        // connection (Netty's MPSC queue chunk) and less work per written chunk (docs/benchmarks.md).
        .setStrictThreadMode(true);
    HttpServer server = vertx.createHttpServer(options);
    services.clientConnections().install(server, options);  // framing checks, server: limits, codec errors as JSON
    return server
        .requestHandler(router)
        .listen()
        .onSuccess(bound -> onBound.accept(bound.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return upstream == null ? Future.succeededFuture() : upstream.close();
  }
}
