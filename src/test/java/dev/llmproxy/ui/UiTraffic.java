package dev.llmproxy.ui;

import dev.llmproxy.support.AnthropicStream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Requests and upstream answers the UI tests send and script: an agent turn with thinking and a tool call. */
final class UiTraffic {

  /** A 1×1 PNG, for the thumbnail. */
  static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJ"
      + "RU5ErkJggg==";

  private UiTraffic() {}

  /** An Anthropic stream: a thinking block, text, then a tool call {@code search {"q": "walrus"}}. */
  static List<String> anthropicToolStream() {
    return AnthropicStream.message("msg_ui", 40)
        .thinking("sig-ui", "The user wants walruses; ", "search first.")
        .text("Let me look that up.")
        .toolUse("toolu_walrus", "search", "{\"q\": \"wal", "rus facts\"}")
        .stop("tool_use", 30);
  }

  /**
   * An agent's second turn to Anthropic: a system prompt, the first question with an image, the assistant's
   * earlier tool call and its result, and the question that follows.
   */
  static String anthropicAgentTurn(String model, String systemPrompt, String question) {
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "What is in this picture?"))
            .add(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "base64")
                .put("media_type", "image/png").put("data", PNG)))))
        .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
            .add(new JsonObject().put("type", "tool_use").put("id", "toolu_look").put("name", "describe_image")
                .put("input", new JsonObject().put("detail", "high")))))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_look")
                .put("content", "A grey walrus on an ice floe."))
            .add(new JsonObject().put("type", "text").put("text", question))));
    return new JsonObject().put("model", model).put("max_tokens", 256).put("stream", true)
        .put("system", systemPrompt).put("messages", messages).encode();
  }

  static String chat(String model, String text) {
    return new JsonObject().put("model", model).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", text))).encode();
  }
}
