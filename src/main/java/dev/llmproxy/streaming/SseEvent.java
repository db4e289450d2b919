package dev.llmproxy.streaming;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one server-sent event, decoded for inspection only; the raw bytes are what gets forwarded.
 *
 * @param name the {@code event:} field, or null
 * @param data the {@code data:} lines joined with newlines, or null when the event has none (comments only)
 */
public record SseEvent(Buffer raw, String name, String data) {

  private static final java.util.regex.Pattern LINE_END = java.util.regex.Pattern.compile("\r\n|\r|\n");

  /** An event made by the proxy: its bytes are {@code event: name} (when not null) and one {@code data:} line. */
  public static SseEvent of(String name, String data) {
    String text = (name == null ? "" : "event: " + name + "\n") + "data: " + data + "\n\n";
    return new SseEvent(Buffer.buffer(text), name, data);
  }

  /** The complete events in {@code bytes} (e.g. what a translation made of one event), in order. */
  public static List<SseEvent> parseAll(Buffer bytes) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventSplitter().feed(bytes, raw -> events.add(parse(raw)));
    return events;
  }

  public static SseEvent parse(Buffer raw) {
    String text = raw.toString(java.nio.charset.StandardCharsets.UTF_8);
    String name = null;
    StringBuilder data = null;
    for (String line : LINE_END.split(text)) {
      if (line.isEmpty() || line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
    }
    return new SseEvent(raw, name, data == null ? null : data.toString());
  }
}
