package dev.llmproxy.bedrock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/**
 * Decodes a Bedrock response stream: binary AWS eventstream frames (prelude, headers, payload, each with its
 * CRC32, checked by the SDK's codec) fed in arbitrary network chunks, into {@link Event}s. A frame whose checksum
 * does not match makes {@link #feed} throw {@link DecodeException}; the decoder is unusable after that.
 */
final class EventStreamDecoder {

  /** One decoded frame, as far as Anthropic-on-Bedrock is concerned. */
  sealed interface Event {}

  /**
   * A {@code chunk} event: one Anthropic streaming event ({@code {"type":"message_start",...}}), its JSON text as
   * Bedrock encoded it, and its type.
   */
  record Chunk(String json, String type) implements Event {}

  /** An {@code exception} (or {@code error}) frame: Bedrock's own error inside the stream. */
  record Failure(String type, String message) implements Event {

    /** As an Anthropic stream's {@code error} event (its data), which is how an Anthropic client reads it. */
    String anthropicErrorEvent() {
      return new JsonObject().put("type", "error").put("error", new JsonObject()
          .put("type", anthropicErrorType(type))
          .put("message", "Bedrock " + type + ": " + message)).encode();
    }
  }

  static final class DecodeException extends RuntimeException {
    DecodeException(String message) {
      super(message, null, false, false);
    }
  }

  private final List<Message> decoded = new ArrayList<>();
  private final MessageDecoder decoder = new MessageDecoder(decoded::add);
  private boolean broken;

  /** @return the frames completed by this chunk, in order */
  List<Event> feed(Buffer chunk) {
    if (broken) {
      return List.of();
    }
    try {
      decoder.feed(chunk.getBytes());
      List<Event> events = new ArrayList<>(decoded.size());
      for (Message m : decoded) {
        events.add(event(m));
      }
      return events;
    } catch (RuntimeException e) {
      broken = true;
      throw new DecodeException("eventstream frame rejected: " + e.getMessage());
    } finally {
      decoded.clear();
    }
  }

  static Event event(Message message) {
    String messageType = header(message, ":message-type");
    String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
    if ("event".equals(messageType)) {
      JsonObject body = payload.isBlank() ? new JsonObject() : new JsonObject(payload);
      String bytes = body.getString("bytes");
      if (bytes == null) {
        return new Failure("unknown", "event without bytes: " + header(message, ":event-type"));
      }
      String json = new String(Base64.getDecoder().decode(bytes), StandardCharsets.UTF_8);
      return new Chunk(json, new JsonObject(json).getString("type", "unknown"));
    }
    if ("exception".equals(messageType)) {
      String text = payload;
      try {
        text = new JsonObject(payload).getString("message", payload);
      } catch (RuntimeException notJson) {
        // keep the raw text
      }
      return new Failure(header(message, ":exception-type"), text);
    }
    return new Failure(String.valueOf(header(message, ":error-code")),
        String.valueOf(header(message, ":error-message")));
  }

  private static String header(Message message, String name) {
    HeaderValue value = message.getHeaders().get(name);
    return value == null ? null : value.getString();
  }

  /** Bedrock's exception names in Anthropic's error vocabulary (what an Anthropic client expects to read). */
  static String anthropicErrorType(String bedrockType) {
    String t = bedrockType == null ? "" : bedrockType.toLowerCase(Locale.ROOT);
    if (t.contains("throttling")) {
      return "rate_limit_error";
    }
    if (t.contains("serviceunavailable")) {
      return "overloaded_error";
    }
    if (t.contains("validation")) {
      return "invalid_request_error";
    }
    if (t.contains("accessdenied")) {
      return "permission_error";
    }
    return "api_error";
  }
}
