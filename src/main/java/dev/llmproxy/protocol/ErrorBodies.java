package dev.llmproxy.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** The one place that renders gateway errors, as JSON bodies and as SSE events, in each protocol's shape. */
public final class ErrorBodies {

  private ErrorBodies() {}

  public static JsonObject json(Protocol protocol, ApiError error) {
    return json(protocol, error.kind(), error.getMessage(), error.param());
  }

  /**
   * OpenAI: {@code {"error":{"message","type","param","code"}}}; Anthropic:
   * {@code {"type":"error","error":{"type","message"}}}.
   */
  public static JsonObject json(Protocol protocol, ErrorKind kind, String message, String param) {
    if (protocol == Protocol.ANTHROPIC) {
      return new JsonObject()
          .put("type", "error")
          .put("error", new JsonObject().put("type", kind.anthropicType()).put("message", message));
    }
    return new JsonObject()
        .put("error", new JsonObject()
            .put("message", message)
            .put("type", kind.openAiType())
            .put("param", param)
            .put("code", kind.openAiCode()));
  }

  /**
   * An error delivered inside an already-started stream. Anthropic has a dedicated {@code event: error};
   * OpenAI-compatible clients (the official SDKs included) raise on a {@code data:} chunk carrying an
   * {@code error} object. No {@code [DONE]} follows, so the stream cannot be mistaken for a complete answer.
   */
  public static Buffer sseEvent(Protocol protocol, ErrorKind kind, String message) {
    String data = json(protocol, kind, message, null).encode();
    String event = protocol == Protocol.ANTHROPIC ? "event: error\ndata: " + data + "\n\n" : "data: " + data + "\n\n";
    return Buffer.buffer(event);
  }

  /**
   * An error delivered inside an already-started Responses API stream: {@code event: error}, on which the official
   * SDKs raise. The API reference documents the event flat ({@code type, code, message, param, sequence_number});
   * OpenAI's own streams nest the fields in an {@code error} object, which the SDKs read first. Both are given, so
   * a client written against either form reads it.
   *
   * @param sequenceNumber the stream's next event number (one more than the last event the client received)
   */
  public static Buffer responsesSseEvent(ErrorKind kind, String message, long sequenceNumber) {
    JsonObject data = new JsonObject()
        .put("type", "error")
        .put("code", kind.openAiCode())
        .put("message", message)
        .put("param", null)
        .put("sequence_number", sequenceNumber)
        .put("error", json(Protocol.OPENAI, kind, message, null).getJsonObject("error"));
    return Buffer.buffer("event: error\ndata: " + data.encode() + "\n\n");
  }
}
