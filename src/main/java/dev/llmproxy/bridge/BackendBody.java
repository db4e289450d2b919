package dev.llmproxy.bridge;

import dev.llmproxy.config.Backend;
import dev.llmproxy.demotion.Demotion;
import dev.llmproxy.fallback.DemotedStream;
import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.fallback.UnservableRequest;
import dev.llmproxy.json.JsonScan;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.translation.Translation;
import dev.llmproxy.translation.TranslationException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The body a route receives, in its backend's protocol, made from a body in the client's (the request, prompt
 * injected, or a mid-stream continuation of it): translated when the backend speaks the other protocol, without
 * unsigned thinking when it is Anthropic's, asking for a stream when the route demotes, then handed to the next
 * preparation (the route's real model, Bedrock's body format). A request the backend's protocol cannot express
 * is refused for this route ({@link UnservableRequest}): the walk passes over it to a route that can take it, and
 * the client gets a 400 naming the field when none can.
 */
public final class BackendBody implements PrepareBody {

  private final PrepareBody next;

  /** @param next applied to the body in the backend's protocol (real model; Bedrock's format for its routes) */
  public BackendBody(PrepareBody next) {
    this.next = next;
  }

  @Override
  public Buffer prepare(RequestContext ctx, JsonObject body, Candidate route) {
    Endpoint call = route.call(ctx.endpoint());
    if (call == null) {
      return next.prepare(ctx, body, route);  // never sent: answered by the proxy (count_tokens, estimated)
    }
    Backend backend = route.backend();
    JsonObject out = route.translates(ctx.protocol()) ? translated(ctx.protocol(), backend, body) : body;
    if (call.protocol() == Protocol.ANTHROPIC && hasUnsignedThinking(out)) {
      // Thinking an OpenAI backend produced reached the client unsigned; Anthropic rejects it sent back.
      out = out == body ? body.copy() : out;
      Translation.dropUnsignedThinking(out);
    }
    if (DemotedStream.applies(ctx, route)) {
      // The Responses API takes no stream_options; its stream reports usage in response.completed anyway.
      out = call == Endpoint.RESPONSES ? out.copy().put("stream", true)
          : Demotion.streamingRequest(call.protocol(), out);
    }
    return next.prepare(ctx, out, route);
  }

  /**
   * The client's own request: handed on as its bytes (the next preparation replaces the model in them) when nothing
   * here changes it, that is when the route speaks the client's protocol, does not demote, and the request holds
   * no thinking block an Anthropic route might refuse; otherwise decoded and prepared as any body.
   */
  @Override
  public Buffer prepareOriginal(RequestContext ctx, Candidate route) {
    Endpoint call = route.call(ctx.endpoint());
    boolean unchanged = call == null || ctx.rawModel() != null && !route.translates(ctx.protocol())
        && !DemotedStream.applies(ctx, route)
        && !(call.protocol() == Protocol.ANTHROPIC && JsonScan.contains(ctx.rawBody(), THINKING, Integer.MAX_VALUE));
    return unchanged ? next.prepareOriginal(ctx, route) : prepare(ctx, ctx.body(), route);
  }

  private static final byte[] THINKING = "\"thinking\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static JsonObject translated(Protocol client, Backend backend, JsonObject body) {
    try {
      return Translation.request(client, backend.protocol(), body, backend.translation());
    } catch (TranslationException e) {
      throw new UnservableRequest("cannot be translated to " + backend.protocol().id() + ": " + e.getMessage(),
          e.param());
    }
  }

  /** Looked for before copying: a same-protocol body is copied only when there is something to drop. */
  static boolean hasUnsignedThinking(JsonObject anthropicBody) {
    if (!(anthropicBody.getValue("messages") instanceof JsonArray messages)) {
      return false;
    }
    for (Object m : messages) {
      if (m instanceof JsonObject message && message.getValue("content") instanceof JsonArray content) {
        for (Object b : content) {
          if (b instanceof JsonObject block && "thinking".equals(block.getValue("type"))
              && !(block.getValue("signature") instanceof String s && !s.isEmpty())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
