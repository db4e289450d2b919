package dev.llmproxy.ui;

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
    List<JsonObject> events = List.of(
        new JsonObject().put("type", "message_start").put("message", new JsonObject().put("id", "msg_ui")
            .put("type", "message").put("role", "assistant").put("model", "claude-real").put("content", new JsonArray())
            .put("usage", new JsonObject().put("input_tokens", 40).put("output_tokens", 1))),
        new JsonObject().put("type", "content_block_start").put("index", 0).put("content_block",
            new JsonObject().put("type", "thinking").put("thinking", "")),
        delta(0, new JsonObject().put("type", "thinking_delta").put("thinking", "The user wants walruses; ")),
        delta(0, new JsonObject().put("type", "thinking_delta").put("thinking", "search first.")),
        delta(0, new JsonObject().put("type", "signature_delta").put("signature", "sig-ui")),
        new JsonObject().put("type", "content_block_stop").put("index", 0),
        new JsonObject().put("type", "content_block_start").put("index", 1).put("content_block",
            new JsonObject().put("type", "text").put("text", "")),
        delta(1, new JsonObject().put("type", "text_delta").put("text", "Let me look that up.")),
        new JsonObject().put("type", "content_block_stop").put("index", 1),
        new JsonObject().put("type", "content_block_start").put("index", 2).put("content_block",
            new JsonObject().put("type", "tool_use").put("id", "toolu_walrus").put("name", "search")
                .put("input", new JsonObject())),
        delta(2, new JsonObject().put("type", "input_json_delta").put("partial_json", "{\"q\": \"wal")),
        delta(2, new JsonObject().put("type", "input_json_delta").put("partial_json", "rus facts\"}")),
        new JsonObject().put("type", "content_block_stop").put("index", 2),
        new JsonObject().put("type", "message_delta").put("delta", new JsonObject().put("stop_reason", "tool_use"))
            .put("usage", new JsonObject().put("output_tokens", 30)),
        new JsonObject().put("type", "message_stop"));
    return events.stream().map(e -> "event: " + e.getString("type") + "\ndata: " + e.encode() + "\n\n").toList();
  }

  private static JsonObject delta(int index, JsonObject delta) {
    return new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta);
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
