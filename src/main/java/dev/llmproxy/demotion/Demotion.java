package dev.llmproxy.demotion;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.json.JsonObject;

/** The request side of demotion. */
public final class Demotion {

  private Demotion() {}

  /**
   * The backend request asking for a stream instead of one answer. OpenAI streams report usage only when asked,
   * and the reassembled answer must carry it as the non-stream one would.
   */
  public static JsonObject streamingRequest(Protocol backend, JsonObject body) {
    JsonObject out = body.copy().put("stream", true);
    if (backend == Protocol.OPENAI) {
      JsonObject options = out.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
      out.put("stream_options", options.put("include_usage", true));
    }
    return out;
  }
}
