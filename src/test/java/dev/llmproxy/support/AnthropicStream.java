package dev.llmproxy.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An Anthropic Messages stream as a provider sends it, built block by block: each block gets its start, its
 * deltas and its stop, numbered in order. {@link #events()} gives the SSE events ({@code event:} and {@code data:}
 * lines, each ending with a blank line), for {@link MockUpstream#sse}.
 */
public final class AnthropicStream {

  private final List<JsonObject> events = new ArrayList<>();
  private int blocks;

  private AnthropicStream(String messageId, int inputTokens) {
    events.add(new JsonObject().put("type", "message_start").put("message", new JsonObject().put("id", messageId)
        .put("type", "message").put("role", "assistant").put("model", "claude-real").put("content", new JsonArray())
        .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 1))));
  }

  /** A stream of message {@code messageId} whose prompt counted {@code inputTokens}. */
  public static AnthropicStream message(String messageId, int inputTokens) {
    return new AnthropicStream(messageId, inputTokens);
  }

  /** A thinking block streamed as {@code parts}, then signed. */
  public AnthropicStream thinking(String signature, String... parts) {
    List<JsonObject> deltas = new ArrayList<>();
    for (String part : parts) {
      deltas.add(new JsonObject().put("type", "thinking_delta").put("thinking", part));
    }
    deltas.add(new JsonObject().put("type", "signature_delta").put("signature", signature));
    return block(new JsonObject().put("type", "thinking").put("thinking", ""), deltas);
  }

  /** A text block streamed as {@code parts}. */
  public AnthropicStream text(String... parts) {
    List<JsonObject> deltas = new ArrayList<>();
    for (String part : parts) {
      deltas.add(new JsonObject().put("type", "text_delta").put("text", part));
    }
    return block(new JsonObject().put("type", "text").put("text", ""), deltas);
  }

  /** A tool_use block whose input JSON is streamed as {@code partialJson}. */
  public AnthropicStream toolUse(String id, String name, String... partialJson) {
    List<JsonObject> deltas = new ArrayList<>();
    for (String part : partialJson) {
      deltas.add(new JsonObject().put("type", "input_json_delta").put("partial_json", part));
    }
    return block(new JsonObject().put("type", "tool_use").put("id", id).put("name", name)
        .put("input", new JsonObject()), deltas);
  }

  /** Ends the message: its stop reason and output tokens, then message_stop. */
  public List<String> stop(String stopReason, int outputTokens) {
    events.add(new JsonObject().put("type", "message_delta").put("delta", new JsonObject().put("stop_reason", stopReason))
        .put("usage", new JsonObject().put("output_tokens", outputTokens)));
    events.add(new JsonObject().put("type", "message_stop"));
    return events();
  }

  /** The events so far, as SSE. */
  public List<String> events() {
    return events.stream().map(e -> "event: " + e.getString("type") + "\ndata: " + e.encode() + "\n\n").toList();
  }

  private AnthropicStream block(JsonObject start, List<JsonObject> deltas) {
    int index = blocks++;
    events.add(new JsonObject().put("type", "content_block_start").put("index", index).put("content_block", start));
    for (JsonObject delta : deltas) {
      events.add(new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta));
    }
    events.add(new JsonObject().put("type", "content_block_stop").put("index", index));
    return this;
  }
}
