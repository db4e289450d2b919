package dev.llmproxy.bedrock;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.passthrough.PassthroughRoutes;
import dev.llmproxy.pipeline.ProxyPipeline;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Claude Code's Bedrock mode ({@code CLAUDE_CODE_USE_BEDROCK=1}, {@code ANTHROPIC_BEDROCK_BASE_URL} at the
 * proxy, {@code CLAUDE_CODE_SKIP_BEDROCK_AUTH=1}): its unsigned {@code POST /model/{id}/invoke} and
 * {@code /invoke-with-response-stream} calls are signed and passed to the {@code passthrough.bedrock} backend,
 * and the answer — binary eventstream included — comes back unchanged. Also {@code GET /health/bedrock}.
 */
public final class BedrockRoutes {

  private BedrockRoutes() {}

  public static void mount(Router router, SnapshotHolder snapshots, ProxyPipeline passthrough, Bedrock bedrock) {
    router.post("/model/:modelId/invoke").handler(rc -> invoke(rc, snapshots.current(), passthrough, false));
    router.post("/model/:modelId/invoke-with-response-stream")
        .handler(rc -> invoke(rc, snapshots.current(), passthrough, true));
    router.get("/health/bedrock").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
        .end(bedrock.health(snapshots.current()).toBuffer()));
  }

  private static void invoke(RoutingContext rc, Snapshot snapshot, ProxyPipeline pipeline, boolean stream) {
    String name = snapshot.passthrough().bedrock();
    Backend target = name == null ? null : snapshot.backends().get(name);
    if (target == null) {
      ErrorResponses.send(rc.response(), Protocol.ANTHROPIC, ApiError.of(ErrorKind.NOT_FOUND,
          "Bedrock mode is not configured: set passthrough.bedrock to a backend with type: bedrock."));
      return;
    }
    PassthroughRoutes.handle(rc, snapshot, Endpoint.BEDROCK_INVOKE, target, rc.request().path(), pipeline,
        rc.pathParam("modelId"), stream);
  }
}
