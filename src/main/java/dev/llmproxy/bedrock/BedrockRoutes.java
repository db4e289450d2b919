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
 * and the answer — binary eventstream included — comes back unchanged (so are {@code count-tokens},
 * {@code converse} and {@code converse-stream}). Also {@code GET /health/bedrock}.
 */
public final class BedrockRoutes {

  static final java.util.Set<String> OPERATIONS = java.util.Set.of(
      "invoke", "invoke-with-response-stream", "count-tokens", "converse", "converse-stream");

  private BedrockRoutes() {}

  public static void mount(Router router, SnapshotHolder snapshots, ProxyPipeline passthrough, Bedrock bedrock) {
    // invoke and invoke-with-response-stream are what Claude Code calls; count-tokens, converse and
    // converse-stream are the runtime's other per-model operations, passed on the same way.
    router.post("/model/:modelId/:operation").handler(rc -> {
      String operation = rc.pathParam("operation");
      if (!OPERATIONS.contains(operation)) {
        rc.next();
        return;
      }
      invoke(rc, snapshots.current(), passthrough, operation.endsWith("-stream"));
    });
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
