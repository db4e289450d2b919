package dev.llmproxy.streaming;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Recognises a stream's error events without knowing its protocol, for answers relayed without being
 * classified (the transparent mode passes any path through, so the stream may be chat completions, Messages or
 * the Responses API). An error event is, in OpenAI's chat stream, a chunk with an {@code error} field; in
 * Anthropic's, {@code event: error} / {@code "type":"error"}; in the Responses API's, {@code event: error} or
 * {@code response.failed}. Each of them carries the bytes {@code error}, so every other event is passed over
 * by a byte scan, without decoding it.
 */
public final class ErrorEvents {

  private static final byte[] HINT = {'e', 'r', 'r', 'o', 'r'};

  private ErrorEvents() {}

  /** Whether one server-sent event (its raw bytes, terminator included) reports an error. */
  public static boolean reportsError(Buffer rawEvent) {
    if (!contains(rawEvent, HINT)) {
      return false;
    }
    SseEvent event = SseEvent.parse(rawEvent);
    if ("error".equals(event.name()) || "response.failed".equals(event.name())) {
      return true;
    }
    if (event.data() == null) {
      return false;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(event.data());
    } catch (DecodeException notJson) {
      return false;
    }
    if (!(parsed instanceof JsonObject json)) {
      return false;
    }
    Object type = json.getValue("type");
    // A top-level "error": null (the Responses API's response objects carry one) reports nothing.
    return json.getValue("error") != null || "error".equals(type) || "response.failed".equals(type);
  }

  private static boolean contains(Buffer bytes, byte[] needle) {
    for (int i = 0, last = bytes.length() - needle.length; i <= last; i++) {
      int j = 0;
      while (j < needle.length && bytes.getByte(i + j) == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        return true;
      }
    }
    return false;
  }
}
