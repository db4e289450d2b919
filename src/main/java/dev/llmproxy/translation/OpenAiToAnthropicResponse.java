package dev.llmproxy.translation;

import dev.llmproxy.protocol.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An OpenAI chat.completion as an Anthropic message: reasoning (or signed {@code thinking_blocks}) first, then
 * the text, then one tool_use block per tool call with its arguments parsed into {@code input}. Only the first
 * choice is used (an Anthropic message has one answer).
 */
final class OpenAiToAnthropicResponse {

  private OpenAiToAnthropicResponse() {}

  static JsonObject translate(JsonObject completion, String fallbackModel) {
    JsonObject choice = completion.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject c ? c : new JsonObject();
    JsonObject message = choice.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    JsonArray content = new JsonArray();
    if (message.getValue("thinking_blocks") instanceof JsonArray thinking && !thinking.isEmpty()) {
      thinking.forEach(t -> content.add(t instanceof JsonObject o ? o.copy() : t));
    } else {
      String reasoning = reasoningText(message);
      if (reasoning != null && !reasoning.isEmpty()) {
        // No signature: an Anthropic backend would reject this block if a client sent it back (docs/translation.md).
        content.add(new JsonObject().put("type", "thinking").put("thinking", reasoning).put("signature", ""));
      }
    }
    String text = message.getValue("content") instanceof String s ? s : contentPartsText(message.getValue("content"));
    if (text != null && !text.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    } else if (message.getValue("refusal") instanceof String refusal && !refusal.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", refusal));
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call && call.getValue("function") instanceof JsonObject f) {
          content.add(new JsonObject()
              .put("type", "tool_use")
              .put("id", ToolIds.forAnthropic(call.getString("id"), "call_" + i))
              .put("name", f.getValue("name"))
              .put("input", arguments(f.getValue("arguments"))));
        }
      }
    }
    String stop = StopReasons.toAnthropic(choice.getValue("finish_reason") instanceof String r ? r : "stop");
    if (message.getValue("refusal") instanceof String r && !r.isEmpty()) {
      stop = "refusal";
    }
    return new JsonObject()
        .put("id", completion.getValue("id"))
        .put("type", "message")
        .put("role", "assistant")
        .put("model", completion.getValue("model") instanceof String m ? m : fallbackModel)
        .put("content", content)
        .put("stop_reason", stop)
        .put("stop_sequence", null)
        .put("usage", Usages.toAnthropic(completion.getValue("usage") instanceof JsonObject u ? u : null));
  }

  static String reasoningText(JsonObject message) {
    if (message.getValue("reasoning_content") instanceof String r) {
      return r;
    }
    return message.getValue("reasoning") instanceof String r ? r : null;
  }

  /** Anthropic requires {@code input} to be an object; text that is not one is kept rather than lost. */
  static JsonObject arguments(Object value) {
    String text = value instanceof String s ? s : value == null ? "" : String.valueOf(value);
    if (text.isBlank()) {
      return new JsonObject();
    }
    JsonObject parsed = ExactJson.objectOrNull(text);
    return parsed != null ? parsed : new JsonObject().put("_unparsed_arguments", text);
  }

  private static String contentPartsText(Object content) {
    if (!(content instanceof JsonArray parts)) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
        out.append(t);
      }
    }
    return out.toString();
  }
}
