package dev.llmproxy.passthrough;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.ingress.FindAlias;
import dev.llmproxy.limits.ClientIp;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The catch-all of the transparent mode: every path under {@code /v1} the proxy does not serve itself (the
 * Responses API, files, batches, {@code /v1/models}, ...) and any method. A request with an
 * {@code anthropic-version} header is Anthropic's, anything else OpenAI's; without a passthrough backend for that
 * protocol the request falls through to the usual 404.
 */
public final class PassthroughRoutes {

  private PassthroughRoutes() {}

  public static void mount(Router router, SnapshotHolder snapshots, ProxyPipeline pipeline) {
    router.route("/v1/*").handler(rc -> {
      Snapshot snapshot = snapshots.current();
      Protocol protocol = rc.request().getHeader("anthropic-version") != null ? Protocol.ANTHROPIC : Protocol.OPENAI;
      Backend target = FindAlias.passthroughBackend(snapshot, protocol);
      if (target == null) {
        rc.next();
        return;
      }
      handle(rc, snapshot, protocol == Protocol.ANTHROPIC ? Endpoint.ANTHROPIC_OTHER : Endpoint.OPENAI_OTHER,
          target, rc.request().path().substring("/v1".length()), pipeline, null, false);
    });
  }

  /** Runs a passthrough request to {@code target} at {@code path} (the query string is added here). */
  public static void handle(RoutingContext rc, Snapshot snapshot, Endpoint endpoint, Backend target, String path,
      ProxyPipeline pipeline, String model, boolean stream) {
    String query = rc.request().query();
    RequestContext ctx = new RequestContext(rc.get("traceId"), snapshot, endpoint, rc.request(),
        ClientIp.resolve(rc.request(), snapshot.trustedProxies()), pipeline.clock());
    ctx.passthrough(new RequestContext.PassthroughTarget(target, path + (query == null ? "" : "?" + query)));
    ctx.model(model);  // known from the path for Bedrock calls; else read from the body, if any
    ctx.stream(stream);
    pipeline.handle(ctx);
  }
}
