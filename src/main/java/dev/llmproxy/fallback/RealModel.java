package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@link PrepareBody#REAL_MODEL}. The client's request goes out as the client's bytes with only the model value
 * replaced ({@code parse} noted where it sits): one copy of the bytes per attempt, no decode and no re-encode, which
 * for a coding agent's megabyte of prompt is most of the proxy's work. A body a stage changed (a system prompt
 * injected), or a continuation, is re-encoded.
 */
final class RealModel implements PrepareBody {

  @Override
  public Buffer prepare(RequestContext ctx, JsonObject body, Candidate route) {
    return body.copy().put("model", route.model()).toBuffer();
  }

  @Override
  public Buffer prepareOriginal(RequestContext ctx, Candidate route) {
    int[] model = ctx.rawModel();
    if (model == null) {
      return prepare(ctx, ctx.body(), route);
    }
    Buffer raw = ctx.rawBody();
    byte[] value = Json.encode(route.model()).getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(raw.length() - (model[1] - model[0]) + value.length)
        .appendBuffer(raw, 0, model[0])
        .appendBytes(value)
        .appendBuffer(raw, model[1], raw.length() - model[1]);
  }
}
