package dev.llmproxy.streaming;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The fields of one server-sent event, decoded for inspection only; the raw bytes are what gets forwarded. The
 * relay's own readers read the few fields they need from the data by a streaming scan (its kind: {@link StreamEvents};
 * the mid-stream transcript and usage: {@link #objectParser}), so a relayed event is never turned into maps and
 * lists. Its data is decoded as JSON at most once, when first asked for ({@link #json}), for a reader that needs
 * the object. Confined to the event loop of the stream it belongs to.
 */
public final class SseEvent {

  private static final Object NOT_AN_OBJECT = new Object();
  /** Accepts what {@link #json}'s decoder accepts (Vert.x allows comments in JSON). */
  private static final JsonFactory SCAN = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  private final Buffer raw;
  private final String name;
  private final String data;
  /** Null until decoded; then the JsonObject, or {@link #NOT_AN_OBJECT}. */
  private Object json;

  /**
   * @param name the {@code event:} field, or null
   * @param data the {@code data:} lines joined with newlines, or null when the event has none (comments only)
   */
  public SseEvent(Buffer raw, String name, String data) {
    this.raw = raw;
    this.name = name;
    this.data = data;
  }

  public Buffer raw() {
    return raw;
  }

  public String name() {
    return name;
  }

  public String data() {
    return data;
  }

  /** The data as a JSON object, decoded once for every reader; null when there is none or it is not an object. */
  public JsonObject json() {
    if (json == null) {
      json = NOT_AN_OBJECT;
      String text = data == null ? "" : data.trim();
      if (text.startsWith("{")) {
        try {
          if (Json.decodeValue(text) instanceof JsonObject object) {
            json = object;
          }
        } catch (RuntimeException notJson) {
          // stays NOT_AN_OBJECT
        }
      }
    }
    return json instanceof JsonObject object ? object : null;
  }

  /**
   * A streaming parser over the data, standing on the start of its object, for a reader that needs a few fields:
   * null when the data is not an object for {@link #json} either. The data is one object, as {@code json()}
   * requires, only if the reader reads the object's fields to its end and {@link #endsThere} then says so; an
   * {@link IOException} on the way means it is not JSON. The caller closes the parser.
   */
  public JsonParser objectParser() throws IOException {
    String text = data == null ? "" : data.trim();
    if (!text.startsWith("{")) {
      return null;
    }
    JsonParser parser = SCAN.createParser(text);
    parser.nextToken();
    return parser;
  }

  /** Whether {@code parser}, having read an object's fields, stands on its end with nothing after it. */
  public static boolean endsThere(JsonParser parser) throws IOException {
    return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null;
  }

  /** Whether {@link #json} has already been decoded (then reading it costs nothing). */
  boolean decoded() {
    return json != null;
  }

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

  /** One event's fields from its bytes (LF, CRLF or CR line ends); one pass, no regular expression. */
  public static SseEvent parse(Buffer raw) {
    String text = raw.toString(StandardCharsets.UTF_8);
    String name = null;
    String data = null;
    StringBuilder more = null;
    int n = text.length();
    int start = 0;
    while (start < n) {
      int end = start;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      if (end > start && text.charAt(start) != ':') {
        int colon = text.indexOf(':', start);
        int fieldEnd = colon < 0 || colon > end ? end : colon;
        int valueStart = fieldEnd == end ? end : fieldEnd + 1;
        if (valueStart < end && text.charAt(valueStart) == ' ') {
          valueStart++;
        }
        if (text.startsWith("event", start) && fieldEnd - start == 5) {
          name = text.substring(valueStart, end);
        } else if (text.startsWith("data", start) && fieldEnd - start == 4) {
          String value = text.substring(valueStart, end);
          if (data == null) {
            data = value;
          } else {
            if (more == null) {
              more = new StringBuilder(data);
            }
            more.append('\n').append(value);
          }
        }
      }
      start = end + (end + 1 < n && text.charAt(end) == '\r' && text.charAt(end + 1) == '\n' ? 2 : 1);
    }
    return new SseEvent(raw, name, more != null ? more.toString() : data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SseEvent e && Objects.equals(raw, e.raw) && Objects.equals(name, e.name)
        && Objects.equals(data, e.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(raw, name, data);
  }

  @Override
  public String toString() {
    return "SseEvent[name=" + name + ", data=" + data + "]";
  }
}
