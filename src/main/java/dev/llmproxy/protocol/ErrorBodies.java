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
}
