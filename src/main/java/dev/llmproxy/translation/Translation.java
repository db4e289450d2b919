package dev.llmproxy.translation;

import dev.llmproxy.config.BackendTranslation;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Entry point of OpenAI ⇄ Anthropic translation, for the per-candidate request preparation and the relay's event
 * transformer. Same-protocol routes never come here: they stay byte-for-byte passthrough.
 *
 * <p>Which model name the client sees: the one the upstream reported in its answer (the real model, e.g.
 * {@code claude-sonnet-4-5-20250929}), as on a same-protocol route where the answer is relayed unchanged; the
 * route's model only when the upstream reported none. So a client sees the same thing whichever protocol served.
 */
public final class Translation {

  private Translation() {}

  /** Whether a request of this client protocol must be translated for this backend protocol. */
  public static boolean needed(Protocol client, Protocol backend) {
    return client != backend;
  }

  /**
   * The backend operation that serves a client operation, or empty when it has no counterpart in the backend's
   * protocol (legacy completions and embeddings for Anthropic; count_tokens for OpenAI, answered locally with
   * {@link TokenEstimator}).
   */
  public static Optional<Endpoint> backendEndpoint(Endpoint client, Protocol backend) {
    return Optional.ofNullable(client.counterpartIn(backend));
  }

  /**
   * The client's request body (prompt already injected) in the backend's protocol; the caller then sets the
   * route's model. Never changes {@code body}.
   *
   * @throws TranslationException when the request uses something the backend's protocol cannot express
   */
  public static JsonObject request(Protocol client, Protocol backend, JsonObject body, BackendTranslation options) {
    if (client == backend) {
      return body.copy();
    }
    return client == Protocol.OPENAI
        ? OpenAiToAnthropicRequest.translate(body, options)
        : AnthropicToOpenAiRequest.translate(body, options);
  }

  /**
   * A successful non-stream answer in the client's protocol.
   *
   * @param routeModel shown when the upstream's answer names no model
   * @param created Unix seconds for OpenAI's {@code created} (the caller's clock)
   */
  public static JsonObject response(Protocol backend, Protocol client, JsonObject body, String routeModel,
      long created) {
    if (client == backend) {
      return body;
    }
    return backend == Protocol.ANTHROPIC
        ? AnthropicToOpenAiResponse.translate(body, routeModel, created)
        : OpenAiToAnthropicResponse.translate(body, routeModel);
  }

  /** {@link #response(Protocol, Protocol, JsonObject, String, long)} on bytes; numbers keep every digit. */
  public static Buffer response(Protocol backend, Protocol client, Buffer body, String routeModel, long created) {
    JsonObject json = ExactJson.objectOrNull(body);
    if (json == null) {
      throw new TranslationException("The backend's answer is not a JSON object and cannot be translated.", null);
    }
    return response(backend, client, json, routeModel, created).toBuffer();
  }

  /**
   * A translator for one upstream stream.
   *
   * @param clientRequest the client's own request: whether it asked for a usage chunk
   *     ({@code stream_options.include_usage}) decides whether an OpenAI client gets one
   */
  public static StreamTranslator stream(Protocol backend, Protocol client, JsonObject clientRequest, String routeModel,
      long created) {
    if (client == backend) {
      throw new IllegalArgumentException("same protocol: relay the stream unchanged");
    }
    return backend == Protocol.ANTHROPIC
        ? new AnthropicToOpenAiStream(routeModel, created, wantsUsage(clientRequest))
        : new OpenAiToAnthropicStream(routeModel);
  }

  /** An upstream error answer (any status) in the client's protocol, status and shape, with retry headers kept. */
  public static ErrorTranslation.TranslatedError error(Protocol backend, Protocol client, int status, MultiMap headers,
      Buffer body) {
    return ErrorTranslation.response(backend, client, status, headers, body);
  }

  /**
   * Removes thinking blocks without a signature from an Anthropic request's history, in place. Thinking that an
   * OpenAI backend produced reaches Anthropic clients unsigned; if such a client sends it back and the attempt
   * goes to a real Anthropic backend, Anthropic rejects the whole request. Call it when preparing a request for an
   * Anthropic backend, same protocol included (the body is re-encoded for each attempt anyway).
   *
   * @return whether anything was removed
   */
  public static boolean dropUnsignedThinking(JsonObject anthropicBody) {
    boolean changed = false;
    if (anthropicBody.getValue("messages") instanceof io.vertx.core.json.JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message && message.getValue("content") instanceof io.vertx.core.json.JsonArray c) {
          changed |= c.getList().removeIf(block -> isUnsignedThinking(block));
        }
      }
    }
    return changed;
  }

  private static boolean isUnsignedThinking(Object block) {
    JsonObject b = block instanceof JsonObject o ? o
        : block instanceof java.util.Map<?, ?> map ? new JsonObject(castMap(map)) : null;
    return b != null && "thinking".equals(b.getValue("type"))
        && !(b.getValue("signature") instanceof String s && !s.isEmpty());
  }

  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> castMap(java.util.Map<?, ?> map) {
    return (java.util.Map<String, Object>) map;
  }

  static boolean wantsUsage(JsonObject clientRequest) {
    return clientRequest != null && clientRequest.getValue("stream_options") instanceof JsonObject options
        && Boolean.TRUE.equals(options.getValue("include_usage"));
  }
}
