package dev.llmproxy.translation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An Anthropic message as an OpenAI chat.completion. Text blocks are joined into {@code content}; tool_use blocks
 * become {@code tool_calls} with their ids and JSON-encoded input; thinking becomes {@code reasoning_content}
 * (the field OpenAI-compatible reasoning servers use) plus {@code thinking_blocks} with signatures, so a client
 * that sends the message back lets the next Anthropic request keep its signed thinking. Citations and server tool
 * blocks have no OpenAI field and are dropped.
 */
final class AnthropicToOpenAiResponse {

  private AnthropicToOpenAiResponse() {}

  static JsonObject translate(JsonObject message, String fallbackModel, long created) {
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    JsonArray thinkingBlocks = new JsonArray();
    JsonArray calls = new JsonArray();
    if (message.getValue("content") instanceof JsonArray content) {
      for (Object c : content) {
        if (!(c instanceof JsonObject block)) {
          continue;
        }
        switch (String.valueOf(block.getValue("type"))) {
          case "text" -> text.append(block.getString("text", ""));
          case "thinking" -> {
            reasoning.append(block.getString("thinking", ""));
            thinkingBlocks.add(block.copy());
          }
          case "redacted_thinking" -> thinkingBlocks.add(block.copy());
          case "tool_use" -> calls.add(toolCall(block));
          default -> { } // server_tool_use, web_search_tool_result, ...: nothing an OpenAI client can read
        }
      }
    }
    JsonObject out = new JsonObject();
    out.put("role", "assistant");
    out.put("content", text.length() == 0 && !calls.isEmpty() ? null : text.toString());
    if (!calls.isEmpty()) {
      out.put("tool_calls", calls);
    }
    if (reasoning.length() > 0) {
      out.put("reasoning_content", reasoning.toString());
    }
    if (!thinkingBlocks.isEmpty()) {
      out.put("thinking_blocks", thinkingBlocks);
    }
    if ("refusal".equals(message.getValue("stop_reason"))) {
      out.put("refusal", text.length() == 0 ? "The model refused to answer." : text.toString());
    }
    String finish = StopReasons.toOpenAi(message.getString("stop_reason"));
    return new JsonObject()
        .put("id", message.getValue("id"))
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", message.getValue("model") instanceof String m ? m : fallbackModel)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", out)
            .put("logprobs", null)
            .put("finish_reason", finish == null ? "stop" : finish)))
        .put("usage", Usages.toOpenAi(message.getValue("usage") instanceof JsonObject u ? u : null));
  }

  /** An Anthropic {@code tool_use} block as an OpenAI {@code tool_calls} entry (answers and assistant history). */
  static JsonObject toolCall(JsonObject toolUse) {
    return new JsonObject()
        .put("id", toolUse.getValue("id"))
        .put("type", "function")
        .put("function", new JsonObject()
            .put("name", toolUse.getValue("name"))
            .put("arguments", toolUse.getValue("input") instanceof JsonObject input ? input.encode() : "{}"));
  }
}
