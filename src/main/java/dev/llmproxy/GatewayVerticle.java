package dev.llmproxy;

import dev.llmproxy.admin.AdminApi;
import dev.llmproxy.capture.api.CaptureApi;
import dev.llmproxy.fallback.Forward;
import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.ingress.Authenticate;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.ingress.IngressRouter;
import dev.llmproxy.ingress.ParseRequest;
import dev.llmproxy.ingress.ReadBody;
import dev.llmproxy.lifecycle.RefuseWhileDraining;
import dev.llmproxy.limits.AcquireSlot;
import dev.llmproxy.limits.AdmitRateLimits;
import dev.llmproxy.observability.AccessLog;
import dev.llmproxy.observability.OpsEndpoints;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.prompts.InjectSystemPrompt;
import dev.llmproxy.relay.EventTransformer;
import dev.llmproxy.relay.Relay;
import dev.llmproxy.relay.UsageObserver;
import dev.llmproxy.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.function.IntConsumer;

/** One event loop's share of the gateway: an HTTP server on the shared port, an upstream client, the pipeline. */
final class GatewayVerticle extends VerticleBase {

  private final GatewayServices services;
  private final String host;
  private final int port;
  private final IntConsumer onBound;
  private UpstreamClient upstream;

  /** @param onBound receives the port actually bound (the shared random one when {@code port} is negative) */
  public GatewayVerticle(GatewayServices services, String host, int port, IntConsumer onBound) {
    this.services = services;
    this.host = host;
    this.port = port;
    this.onBound = onBound;
  }

  /**
   * The request path, top to bottom: stages, then forward → relay, then the finish step. Each step may answer the
   * client with an error and stop the rest; the finish step runs for every request.
   */
  private ProxyPipeline pipeline() {
    return new ProxyPipeline(services.clock(),
        List.of(
            new RefuseWhileDraining(services.drain()),       // 503 once shutdown started; counts in-flight
            new Authenticate(),                              // 401 without the proxy key
            services.capture().stage(),                      // capture this request (capture.enabled): one record
            new ReadBody(),                                  // 413 over proxy.max_body_bytes
            new ParseRequest(),                              // 400 bad JSON / no model; 404 unknown alias
            new AdmitRateLimits(services.traffic()),         // 429 over a per-IP / per-model / global rate
            new AcquireSlot(services.traffic()),             // 503 queue full or queue timeout; held to the end
            new InjectSystemPrompt()),                       // the alias' system prompt, per its mode
        new Forward(vertx, upstream, services.resolver(),   // plan → attempts (lease, send, judge, retry policy)
            services.cooldowns(), services.traffic().backendSlots(), PrepareBody.REAL_MODEL),
        new Relay(List.of(UsageObserver.FACTORY,             // the only writer of upstream answers
                services.capture().observer()),              // capture sees what was sent and relayed
            EventTransformer.SAME_PROTOCOL),
        (ctx, error) -> ErrorResponses.send(ctx.response(), ctx.protocol(), error),
        ctx -> {                                             // finish: access log line, metrics
          AccessLog.write(ctx);
          services.metrics().requestFinished(ctx);
        });
  }

  @Override
  public Future<?> start() {
    upstream = new UpstreamClient(vertx, services.echo()::baseUrl);
    var router = IngressRouter.create(vertx, services.snapshots(), pipeline());
    AdminApi.mount(router, services.snapshots(), services.config());
    // /admin/requests, /admin/sessions, /admin/stats over the capture store
    CaptureApi.mount(router, vertx, services.snapshots(), services.capture().store(), services.clock());
    // /health /livez /metrics
    OpsEndpoints.mount(router, services.snapshots(), services.metrics(), services.drain()::draining);
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setTcpNoDelay(true)
            // Clients speak HTTP/1.1 to an LLM API; an `Upgrade: h2c` header must not switch protocols mid-proxy.
            .setHttp2ClearTextEnabled(false)
            .setCompressionSupported(false))
        .requestHandler(router)
        .listen()
        .onSuccess(server -> onBound.accept(server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return upstream == null ? Future.succeededFuture() : upstream.close();
  }
}
