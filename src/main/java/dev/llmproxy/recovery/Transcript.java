package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * What the client has received of one streamed answer, read from the events as it gets them (client protocol):
 * the answer text, whether its finish was delivered, what would stop it from being continued (a tool call, a
 * refusal, reasoning in flight), and the token usage the legs reported. Confined to the request's event loop.
 */
abstract class Transcript {

  static final String TOOL_CALL = "a tool call was being streamed, and a tool call is not continued";

  private final StringBuilder text = new StringBuilder();
  private final Usage usage = new Usage();
  private boolean finished;
  private boolean content;
  private String blocker;

  static Transcript of(Protocol protocol) {
    return protocol == Protocol.ANTHROPIC ? new AnthropicTranscript() : new OpenAiTranscript();
  }

  /**
   * One event exactly as the client receives it. Its data is scanned for the few fields the transcript reads, not
   * decoded (this runs for every event of every stream that could be continued). Data that is not one JSON object
   * ({@code [DONE]}, a comment, malformed JSON) says nothing; a field of an unexpected type reads as it would in
   * the decoded object, and never throws.
   */
  final void observe(SseEvent event) {
    try (JsonParser object = event.objectParser()) {
      if (object != null) {
        observe(event, object);
      }
    } catch (IOException notJson) {
      // not JSON: nothing of it was applied
    }
  }

  /**
   * Reads the object {@code object} stands on to its end and, only when the data was that one object and nothing
   * more ({@link SseEvent#endsThere}), applies what it says.
   */
  abstract void observe(SseEvent event, JsonParser object) throws IOException;

  /** Whether reasoning (thinking) was being streamed when the answer stopped: it cannot be continued. */
  abstract boolean reasoningInFlight();

  /** The answer text delivered so far. */
  final String text() {
    return text.toString();
  }

  /** Characters of answer text delivered so far (UTF-16 units, as Java and JavaScript count them). */
  final int chars() {
    return text.length();
  }

  final boolean finished() {
    return finished;
  }

  /** Whether any part of the answer (text, reasoning, a tool call) was delivered. */
  final boolean hasContent() {
    return content;
  }

  /** Why the answer cannot be continued whatever happens next, or null. */
  final String blocker() {
    return blocker;
  }

  final Usage usage() {
    return usage;
  }

  final void appendText(String piece) {
    if (piece != null && !piece.isEmpty()) {
      text.append(piece);
      content = true;
    }
  }

  final void sawContent() {
    content = true;
  }

  final void finish() {
    finished = true;
  }

  final void block(String why) {
    content = true;
    if (blocker == null) {
      blocker = why;
    }
  }

  /** A text field, or {@code fallback} when absent or not text (an upstream's odd event must not throw here). */
  static String text(JsonObject json, String field, String fallback) {
    return json.getValue(field) instanceof String value ? value : fallback;
  }

  /** An object field, or null when absent or not an object. */
  static JsonObject object(JsonObject json, String field) {
    return json.getValue(field) instanceof JsonObject value ? value : null;
  }

  /** A data field as a JSON object; null for anything else (the {@code [DONE]} marker, malformed data). */
  static JsonObject decode(String data) {
    String trimmed = data.strip();
    if (trimmed.isEmpty() || trimmed.charAt(0) != '{') {
      return null;
    }
    try {
      return Json.decodeValue(trimmed) instanceof JsonObject json ? json : null;
    } catch (RuntimeException malformed) {
      return null;
    }
  }
}
