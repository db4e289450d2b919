package dev.llmproxy.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The system prompt of a request body, in any protocol: Anthropic {@code system} (a string or text blocks),
 * OpenAI chat {@code system}/{@code developer} messages (string or text parts), the Responses API's
 * {@code instructions} and its {@code system}/{@code developer} input messages. Parts are joined with a newline;
 * no system prompt gives the empty string.
 */
public final class SystemPromptText {

  private SystemPromptText() {}

  public static String of(JsonObject body) {
    if (body == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    addText(parts, body.getValue("system"));
    addText(parts, body.getValue("instructions"));
    addSystemMessages(parts, body.getValue("messages"));
    addSystemMessages(parts, body.getValue("input"));
    return String.join("\n", parts);
  }

  /** OpenAI chat {@code messages} and Responses {@code input} items with a system or developer role. */
  private static void addSystemMessages(List<String> parts, Object list) {
    if (list instanceof JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message
            && ("system".equals(message.getValue("role")) || "developer".equals(message.getValue("role")))) {
          addText(parts, message.getValue("content"));
        }
      }
    }
  }

  private static void addText(List<String> parts, Object value) {
    if (value instanceof String s) {
      parts.add(s);
    } else if (value instanceof JsonArray blocks) {
      for (Object block : blocks) {
        if (block instanceof String s) {
          parts.add(s);
        } else if (block instanceof JsonObject b && b.getValue("text") instanceof String text) {
          parts.add(text);
        }
      }
    }
  }
}
