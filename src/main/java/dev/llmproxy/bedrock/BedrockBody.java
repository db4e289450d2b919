package dev.llmproxy.bedrock;

import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * The body a Bedrock route receives, made per candidate like any route's: the Messages body it is given (the
 * client's, or a continuation of it after a stream broke) without {@code model} (it is in the call's path) and
 * {@code stream} (the path says it), with {@code anthropic_version: bedrock-2023-05-31} unless the client set one,
 * and the {@code anthropic-beta} header's flags as {@code anthropic_beta} (Bedrock reads neither header).
 */
final class BedrockBody implements PrepareBody {

  static final String BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

  @Override
  public Buffer prepare(RequestContext ctx, JsonObject clientBody, Candidate route) {
    JsonObject body = clientBody.copy();
    body.remove("model");
    body.remove("stream");
    if (!body.containsKey("anthropic_version")) {
      body.put("anthropic_version", BEDROCK_ANTHROPIC_VERSION);
    }
    String beta = ctx.request().getHeader("anthropic-beta");
    if (beta != null && !beta.isBlank() && !body.containsKey("anthropic_beta")) {
      body.put("anthropic_beta", new JsonArray(Arrays.stream(beta.split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).toList()));
    }
    return body.toBuffer();
  }
}
