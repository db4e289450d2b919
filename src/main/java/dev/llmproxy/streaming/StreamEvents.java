package dev.llmproxy.streaming;

import dev.llmproxy.protocol.Protocol;
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
    if (!event.decoded()) {
      return EventScan.classify(protocol, event.name(), data);  // the few fields needed, nothing decoded
    }
    JsonObject json = event.json();  // decoded already for another reader: classified from the object
    if (json == null) {
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
    // Odd types (choices an object, delta a string) read as absent, as the scan reads them; never a cast error.
    if (!(chunk.getValue("choices") instanceof JsonArray choices)) {
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
      if (choice.getValue("delta") instanceof JsonObject delta) {
        for (String field : CONTENT_DELTA_FIELDS) {
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
    return anthropic(json.getValue("type") instanceof String type ? type : eventName);
  }

  /** An Anthropic event by its type (the data's {@code type}, else the {@code event:} name). */
  static StreamEventKind anthropic(String type) {
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

  /** The delta fields whose presence makes an OpenAI chunk CONTENT (text, tool calls, refusal, reasoning). */
  static final java.util.Set<String> CONTENT_DELTA_FIELDS = java.util.Set.of(
      "content", "tool_calls", "function_call", "refusal", "reasoning_content", "reasoning");

  private static boolean notEmpty(Object value) {
    if (value == null) return false;
    if (value instanceof String s) return !s.isEmpty();
    if (value instanceof JsonArray a) return !a.isEmpty();
    return true;
  }
}
