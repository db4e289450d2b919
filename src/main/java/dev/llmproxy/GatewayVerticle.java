package dev.llmproxy;

import dev.llmproxy.config.ListenAddress;
import dev.llmproxy.fallback.AttemptLoop;
import dev.llmproxy.fallback.Forward;
import dev.llmproxy.ingress.Authenticate;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.ingress.IngressRouter;
import dev.llmproxy.ingress.ParseRequest;
import dev.llmproxy.ingress.ReadBody;
import dev.llmproxy.limits.AcquireSlot;
import dev.llmproxy.limits.AdmitRateLimits;
import dev.llmproxy.observability.AccessLog;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.routing.ResolveRoutes;
import dev.llmproxy.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;

/** One event loop's share of the gateway: an HTTP server on the shared port, an upstream client, the pipeline. */
public final class GatewayVerticle extends VerticleBase {

  private final GatewayServices services;
  private final ListenAddress listen;
  private UpstreamClient upstream;
  private HttpServer server;

  public GatewayVerticle(GatewayServices services, ListenAddress listen) {
    this.services = services;
    this.listen = listen;
  }

  /** The request path, top to bottom. Each stage may answer the client with an error and stop the rest. */
  private ProxyPipeline pipeline() {
    return new ProxyPipeline(
        List.of(
            new Authenticate(),                              // 401 without the proxy key
            new ReadBody(),                                  // 413 over proxy.max_body_bytes
            new ParseRequest(),                              // 400 bad JSON / no model; 404 unknown alias
            new AdmitRateLimits(services.traffic()),         // 429 over a per-IP / per-model / global rate
            new AcquireSlot(services.traffic()),             // 503 queue full or queue timeout; held to the end
            new ResolveRoutes(services.resolver()),          // candidates by priority, shuffled per tier
            new Forward(new AttemptLoop(vertx, upstream, services.traffic().backendSlots()))),  // attempts, relay
        (ctx, error) -> ErrorResponses.send(ctx.response(), ctx.protocol(), error),
        AccessLog::write);
  }

  @Override
  public Future<?> start() {
    upstream = new UpstreamClient(vertx, services.echo()::baseUrl);
    var router = IngressRouter.create(vertx, services.snapshots(), pipeline());
    return vertx.createHttpServer(new HttpServerOptions()
            .setHost(listen.host())
            .setPort(listen.port())
            .setTcpNoDelay(true)
            .setCompressionSupported(false))
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return upstream == null ? Future.succeededFuture() : upstream.close();
  }

  int actualPort() {
    return server.actualPort();
  }
}
