package dev.llmproxy.streaming;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Classifies stream events per protocol. Pure functions. */
final class StreamEvents {

  private StreamEvents() {}

  public static StreamEventKind classify(Protocol protocol, SseEvent event) {
    if (event.data() == null) {
      return protocol == Protocol.ANTHROPIC && "error".equals(event.name()) ? StreamEventKind.ERROR : StreamEventKind.META;
    }
    String data = event.data().trim();
    if (protocol == Protocol.OPENAI && data.equals("[DONE]")) {
      return StreamEventKind.DONE;
    }
    if (data.isEmpty()) {
      return StreamEventKind.META;
    }
    JsonObject json;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(data);
      if (!(parsed instanceof JsonObject o)) {
        return StreamEventKind.MALFORMED;
      }
      json = o;
    } catch (DecodeException e) {
      return StreamEventKind.MALFORMED;
    }
    if (protocol == Protocol.OPENAI && ResponsesEvents.isResponsesEvent(json)) {
      return ResponsesEvents.classify(json.getString("type"));
    }
    return protocol == Protocol.ANTHROPIC ? anthropic(event.name(), json) : openAi(json);
  }

  /**
   * OpenAI chat/completions chunks. A chunk with only {@code role} or only {@code usage} is META; any delta
   * text, tool call, refusal, reasoning, legacy completion text or finish reason is CONTENT.
   */
  private static StreamEventKind openAi(JsonObject chunk) {
    if (chunk.getValue("error") != null) {
      return StreamEventKind.ERROR;
    }
    JsonArray choices = chunk.getJsonArray("choices");
    if (choices == null) {
      return StreamEventKind.META;
    }
    for (Object c : choices) {
      if (!(c instanceof JsonObject choice)) {
        continue;
      }
      if (choice.getValue("finish_reason") != null) {
        return StreamEventKind.FINISH;
      }
      if (notEmpty(choice.getValue("text"))) {
        return StreamEventKind.CONTENT;
      }
      JsonObject delta = choice.getJsonObject("delta");
      if (delta != null) {
        for (String field : new String[] {"content", "tool_calls", "function_call", "refusal", "reasoning_content", "reasoning"}) {
          if (notEmpty(delta.getValue(field))) {
            return StreamEventKind.CONTENT;
          }
        }
      }
    }
    return StreamEventKind.META;
  }

  /** Anthropic Messages stream events, by their {@code type}. */
  private static StreamEventKind anthropic(String eventName, JsonObject json) {
    String type = json.getString("type", eventName);
    if (type == null) {
      return StreamEventKind.META;
    }
    return switch (type) {
      case "error" -> StreamEventKind.ERROR;
      case "message_stop" -> StreamEventKind.DONE;
      case "content_block_delta" -> StreamEventKind.CONTENT;
      case "message_delta" -> StreamEventKind.FINISH;
      default -> StreamEventKind.META;
    };
  }

  private static boolean notEmpty(Object value) {
    if (value == null) return false;
    if (value instanceof String s) return !s.isEmpty();
    if (value instanceof JsonArray a) return !a.isEmpty();
    return true;
  }
}
