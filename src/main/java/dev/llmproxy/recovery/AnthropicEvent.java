package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The fields of one Anthropic Messages stream event that its transcript reads, found by a scan of the event's
 * tokens: {@code type}, {@code index}, {@code content_block}'s type and text, {@code delta}'s type and text,
 * {@code message.usage} and {@code usage}. Everything else is skipped (a {@code message_start}'s message is read
 * for its usage only). Each value is read as the decoded object gives it: a type that is not text reads as
 * {@code ""}, an index that is not a number as -1, a text that is not text as null; a name given twice counts
 * with its last value, as in a decoded object.
 */
final class AnthropicEvent {

  String type = "";
  int index = -1;
  Part block = Part.NONE;
  Part delta = Part.NONE;
  /** {@code message.usage}, when both are objects. */
  Usage.Report messageUsage;
  Usage.Report usage;

  private AnthropicEvent() {}

  /** Reads the fields of the object {@code p} stands on, up to its end. */
  static AnthropicEvent scan(JsonParser p) throws IOException {
    AnthropicEvent event = new AnthropicEvent();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "type" -> event.type = orEmpty(JsonValues.text(p, value));
        case "index" -> {
          Number n = JsonValues.number(p, value);
          event.index = n == null ? -1 : n.intValue();
        }
        case "content_block" -> event.block = Part.read(p, value);
        case "delta" -> event.delta = Part.read(p, value);
        case "message" -> event.messageUsage = JsonValues.isObject(p, value) ? usageIn(p) : null;
        case "usage" -> event.usage = JsonValues.isObject(p, value) ? Usage.Report.scan(p) : null;
        default -> p.skipChildren();
      }
    }
    return event;
  }

  /**
   * A {@code content_block} or a {@code delta}: its {@code type} ({@code ""} when not text) and {@code text} (null
   * when not text); both empty when the value is not an object.
   */
  record Part(String type, String text) {
    static final Part NONE = new Part("", null);

    static Part read(JsonParser p, JsonToken value) throws IOException {
      if (!JsonValues.isObject(p, value)) {
        return NONE;
      }
      String type = "";
      String text = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken fieldValue = p.nextToken();
        switch (field) {
          case "type" -> type = orEmpty(JsonValues.text(p, fieldValue));
          case "text" -> text = JsonValues.text(p, fieldValue);
          default -> p.skipChildren();
        }
      }
      return new Part(type, text);
    }
  }

  /** The {@code usage} of the object {@code p} stands on (a message), read to the object's end. */
  private static Usage.Report usageIn(JsonParser p) throws IOException {
    Usage.Report usage = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean isUsage = p.currentName().equals("usage");
      JsonToken value = p.nextToken();
      if (isUsage) {
        usage = JsonValues.isObject(p, value) ? Usage.Report.scan(p) : null;
      } else {
        p.skipChildren();
      }
    }
    return usage;
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }
}
