package dev.llmproxy.streaming;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.llmproxy.json.TokenValues;
import dev.llmproxy.protocol.Protocol;
import java.io.IOException;
import java.util.List;

/**
 * {@link StreamEvents}' rules applied by scanning an event's data token by token instead of decoding it: only the
 * fields the rules read are looked at (the top-level {@code type} and {@code error}; each choice's
 * {@code finish_reason}, {@code text} and delta fields), everything else is skipped, and no map or list is built.
 * The whole data is still read, so malformed JSON is recognised as a decode would. Pure; thread-safe.
 */
final class EventScan {

  /** Comments allowed, as by the decoder ({@code SseEvent.json}) and the other readers' scans. */
  private static final List<String> DELTA_FIELDS = List.copyOf(StreamEvents.CONTENT_DELTA_FIELDS);

  private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  private EventScan() {}

  /** @param data the event's data, trimmed, not empty, not {@code [DONE]} */
  static StreamEventKind classify(Protocol protocol, String eventName, String data) {
    if (data.charAt(0) != '{') {
      return StreamEventKind.MALFORMED;  // as the decoder's reader sees it (a comment first included)
    }
    try (JsonParser p = FACTORY.createParser(data)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return StreamEventKind.MALFORMED;
      }
      String type = null;
      boolean error = false;
      StreamEventKind choices = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : skip(p);
          case "error" -> {
            error = value != JsonToken.VALUE_NULL;
            p.skipChildren();
          }
          case "choices" -> choices = protocol == Protocol.OPENAI && value == JsonToken.START_ARRAY
              ? choices(p) : skipAsAbsent(p);
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return StreamEventKind.MALFORMED;
      }
      if (protocol == Protocol.ANTHROPIC) {
        return StreamEvents.anthropic(type != null ? type : eventName);
      }
      if (type != null && (type.startsWith("response.") || type.equals("error"))) {
        return ResponsesEvents.classify(type);
      }
      if (error) {
        return StreamEventKind.ERROR;
      }
      return choices == null ? StreamEventKind.META : choices;
    } catch (IOException notJson) {
      return StreamEventKind.MALFORMED;
    }
  }

  /** The first choice that decides (finish reason, then text, then delta content), read to the array's end. */
  private static StreamEventKind choices(JsonParser p) throws IOException {
    StreamEventKind decided = null;
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      boolean finish = false;
      boolean text = false;
      boolean delta = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "finish_reason" -> {
            finish = value != JsonToken.VALUE_NULL;
            p.skipChildren();
          }
          case "text" -> text = TokenValues.notEmpty(p, value);
          case "delta" -> delta = value == JsonToken.START_OBJECT ? deltaHasContent(p) : skip(p) != null;
          default -> p.skipChildren();
        }
      }
      if (decided == null) {
        decided = finish ? StreamEventKind.FINISH : text || delta ? StreamEventKind.CONTENT : null;
      }
    }
    return decided == null ? StreamEventKind.META : decided;
  }

  /** A field named twice counts with its last value, as in the decoded object. */
  private static boolean deltaHasContent(JsonParser p) throws IOException {
    boolean[] content = new boolean[DELTA_FIELDS.size()];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      int field = DELTA_FIELDS.indexOf(p.currentName());
      JsonToken value = p.nextToken();
      if (field >= 0) {
        content[field] = TokenValues.notEmpty(p, value);
      } else {
        p.skipChildren();
      }
    }
    for (boolean any : content) {
      if (any) {
        return true;
      }
    }
    return false;
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static StreamEventKind skipAsAbsent(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }
}
