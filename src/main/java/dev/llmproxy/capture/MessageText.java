package dev.llmproxy.capture;

import dev.llmproxy.rules.SystemPromptText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The human-readable text of request and answer bodies, read by shape so it works for both protocols and the
 * Responses API (and for a reassembled stream, which has the non-stream shape): for search, for the session hash,
 * for the record's {@code system_prompt} and {@code response.text}. Pure.
 */
final class MessageText {

  private MessageText() {}

  /**
   * The system prompt the upstream got, read as routing rules read it ({@link SystemPromptText}): Anthropic's
   * {@code system} (text or blocks), the Responses API's {@code instructions}, the OpenAI {@code system} /
   * {@code developer} messages and Responses input items, joined; null when there is none.
   */
  static String systemPrompt(JsonObject body) {
    return body == null ? null : emptyToNull(SystemPromptText.of(body));
  }

  /** The first user turn (or a completion prompt / embedding input): with the system prompt, a session's start. */
  static String firstUserMessage(JsonObject body) {
    if (body == null) {
      return null;
    }
    for (String list : new String[] {"messages", "input"}) {  // chat and Anthropic; Responses input items
      for (Object m : array(body.getValue(list))) {
        if (m instanceof JsonObject message && "user".equals(message.getString("role"))) {
          return text(message.getValue("content"));
        }
      }
    }
    for (String field : new String[] {"prompt", "input"}) {
      Object value = body.getValue(field);
      if (value != null) {
        return text(value instanceof JsonArray a && !a.isEmpty() ? a.getValue(0) : value);
      }
    }
    return null;
  }

  /** Every text of a request: system prompt or instructions, messages, prompt or input (items included). */
  static String requestText(JsonObject body) {
    if (body == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    append(out, text(body.getValue("system")));
    append(out, text(body.getValue("instructions")));
    List<Object> turns = new ArrayList<>();
    array(body.getValue("messages")).forEach(turns::add);  // iterated, so decoded maps come as JsonObjects
    array(body.getValue("input")).forEach(turns::add);
    for (Object m : turns) {
      if (m instanceof JsonObject message) {
        append(out, text(message.getValue("content")));
        for (Object call : array(message.getValue("tool_calls"))) {
          if (call instanceof JsonObject c && c.getValue("function") instanceof JsonObject fn) {
            append(out, fn.getString("arguments"));
          }
        }
      }
    }
    append(out, text(body.getValue("prompt")));
    append(out, body.getValue("input") instanceof JsonArray items ? textItems(items) : text(body.getValue("input")));
    return out.toString();
  }

  /** The plain strings of an input list (a completion's prompts, an embedding's inputs); items are read above. */
  private static String textItems(JsonArray items) {
    StringBuilder out = new StringBuilder();
    items.forEach(i -> append(out, i instanceof String s ? s : null));
    return out.toString();
  }

  /**
   * What the assistant said: OpenAI choices (message content or legacy text), Anthropic text blocks, the
   * Responses API's output messages.
   */
  static String answerText(Object answer) {
    if (!(answer instanceof JsonObject body)) {
      return answer instanceof String s ? s : "";
    }
    StringBuilder out = new StringBuilder();
    for (Object c : array(body.getValue("choices"))) {
      if (c instanceof JsonObject choice) {
        if (choice.getValue("message") instanceof JsonObject message) {
          append(out, text(message.getValue("content")));
        }
        append(out, choice.getValue("text") instanceof String s ? s : null);
      }
    }
    for (Object b : array(body.getValue("content"))) {
      if (b instanceof JsonObject block && "text".equals(block.getString("type"))) {
        append(out, block.getString("text"));
      }
    }
    for (Object o : array(body.getValue("output"))) {
      if (o instanceof JsonObject item && "message".equals(item.getString("type"))) {
        for (Object p : array(item.getValue("content"))) {
          if (p instanceof JsonObject part && "output_text".equals(part.getString("type"))) {
            append(out, part.getString("text"));
          }
        }
      }
    }
    return out.toString();
  }

  /** The answer's other searchable parts: reasoning, thinking, tool arguments and inputs. */
  static String answerExtras(Object answer) {
    if (!(answer instanceof JsonObject body)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Object c : array(body.getValue("choices"))) {
      if (c instanceof JsonObject choice && choice.getValue("message") instanceof JsonObject message) {
        append(out, message.getValue("reasoning_content") instanceof String s ? s : null);
        append(out, message.getValue("reasoning") instanceof String s ? s : null);
        for (Object call : array(message.getValue("tool_calls"))) {
          if (call instanceof JsonObject tc && tc.getValue("function") instanceof JsonObject fn) {
            append(out, fn.getString("name"));
            append(out, fn.getValue("arguments") instanceof String s ? s : null);
          }
        }
      }
    }
    for (Object b : array(body.getValue("content"))) {
      if (b instanceof JsonObject block) {
        append(out, block.getValue("thinking") instanceof String s ? s : null);
        if ("tool_use".equals(block.getString("type"))) {
          append(out, block.getString("name"));
          append(out, block.getValue("input") == null ? null : String.valueOf(block.getValue("input")));
        }
      }
    }
    for (Object o : array(body.getValue("output"))) {  // Responses: reasoning, function and tool calls
      if (o instanceof JsonObject item && !"message".equals(item.getString("type"))) {
        append(out, text(item.getValue("summary")));
        append(out, text(item.getValue("content")));
        append(out, item.getValue("name") instanceof String s ? s : null);
        append(out, item.getValue("arguments") instanceof String s ? s : null);
        append(out, item.getValue("input") instanceof String s ? s : null);
      }
    }
    return out.toString();
  }

  /** Text of a content value: a string, or the {@code text} of its blocks (tool results included). */
  static String text(Object content) {
    if (content == null) {
      return null;
    }
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray blocks) {
      StringBuilder out = new StringBuilder();
      for (Object b : blocks) {
        if (b instanceof String s) {
          append(out, s);
        } else if (b instanceof JsonObject block) {
          if (block.getValue("text") instanceof String s) {
            append(out, s);
          } else if (block.getValue("content") != null) {
            append(out, text(block.getValue("content")));
          }
        }
      }
      return out.toString();
    }
    return null;
  }

  private static JsonArray array(Object value) {
    return value instanceof JsonArray a ? a : new JsonArray();
  }

  private static void append(StringBuilder out, String text) {
    if (text != null && !text.isEmpty()) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(text);
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
