package dev.llmproxy.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.streaming.SseEvent;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;

/**
 * Token usage as the upstream reported it, read by shape rather than by protocol (the echo backend speaks both):
 * an OpenAI {@code usage} has {@code prompt_tokens}/{@code completion_tokens}, an Anthropic one
 * {@code input_tokens}/{@code output_tokens}. Pure functions plus two recording helpers for the attempt loop.
 *
 * <p>Where usage appears:
 * <ul>
 *   <li>non-stream answers of both protocols: top-level {@code usage};
 *   <li>OpenAI streams: one final chunk with {@code usage} (sent when the client asked for
 *       {@code stream_options.include_usage}); every other chunk has {@code "usage": null} or none;
 *   <li>Anthropic streams: {@code message_start} carries {@code message.usage} (input tokens, output so far) and
 *       {@code message_delta} carries {@code usage} with the cumulative output tokens;
 *   <li>Responses API streams: the terminal {@code response.completed} carries {@code response.usage}
 *       ({@code input_tokens}/{@code output_tokens}, cached tokens already inside {@code input_tokens}); the
 *       lifecycle events before it have {@code "usage": null}.
 * </ul>
 * Anthropic reports prompt-cache reads and writes apart from {@code input_tokens}; they are added to the prompt
 * count, since they are prompt tokens the request consumed.
 */
public final class UsageExtractor {

  /** Counts as reported; -1 when the upstream did not say. */
  public record Usage(long promptTokens, long completionTokens) {
    public static final Usage NONE = new Usage(-1, -1);

    public boolean isEmpty() {
      return promptTokens < 0 && completionTokens < 0;
    }
  }

  /** Strict JSON, as the answers' scans of the hot path read it ({@code json.JsonScan}). */
  private static final JsonFactory BODY = JsonFactory.builder().build();

  private UsageExtractor() {}

  /**
   * Usage of a whole (non-stream) JSON answer; {@link Usage#NONE} for anything else (errors, not JSON). The answer
   * is scanned, not decoded: up to its first top-level {@code usage}, whose counts are read, and no further.
   */
  public static Usage fromBody(Buffer body) {
    if (body == null || body.length() == 0) {
      return Usage.NONE;
    }
    try (JsonParser p = parser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Usage.NONE;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean isUsage = p.currentName().equals("usage");
        JsonToken value = p.nextToken();
        if (isUsage) {
          return usage(p, value);
        }
        p.skipChildren();
      }
      return Usage.NONE;
    } catch (IOException | RuntimeException notJson) {
      return Usage.NONE;
    }
  }

  /**
   * Usage carried by one stream event, or {@link Usage#NONE}. Cheap for the many events that carry none: an event
   * whose data never says {@code usage} is not read, and the others (every OpenAI chunk says {@code "usage": null}
   * when the client asked for usage) are scanned, not decoded.
   */
  public static Usage fromEvent(SseEvent event) {
    String data = event.data();
    if (data == null || !data.contains("usage")) {
      return Usage.NONE;
    }
    try (JsonParser p = event.objectParser()) {
      return p == null ? Usage.NONE : EventUsage.scan(p);
    } catch (IOException notJson) {
      return Usage.NONE;
    }
  }

  /** Records a non-stream answer's usage on the request (attempt loop hook). */
  public static void recordBody(RequestContext ctx, Buffer body) {
    record(ctx, fromBody(body));
  }

  /** Records a stream event's usage on the request (stream relay hook); later reports refine earlier ones. */
  public static void recordEvent(RequestContext ctx, SseEvent event) {
    record(ctx, fromEvent(event));
  }

  private static void record(RequestContext ctx, Usage usage) {
    if (!usage.isEmpty()) {
      ctx.usage(usage.promptTokens(), usage.completionTokens());
    }
  }

  /**
   * Where an event's usage may be, read by one scan: {@code message_start}'s {@code message.usage} (Anthropic),
   * {@code response.usage} (the Responses API's {@code response.completed}, {@code response.incomplete},
   * {@code response.failed}), else the top-level {@code usage}. A name given twice counts with its last value.
   */
  private static final class EventUsage {
    private String type;
    private boolean messageIsObject;
    private Usage messageUsage = Usage.NONE;
    private boolean responseHasUsage;
    private Usage responseUsage = Usage.NONE;
    private Usage topLevel = Usage.NONE;

    static Usage scan(JsonParser p) throws IOException {
      EventUsage found = new EventUsage();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "type" -> found.type = text(p, value);
          case "message" -> found.message(p, value);
          case "response" -> found.response(p, value);
          case "usage" -> found.topLevel = usage(p, value);
          default -> p.skipChildren();
        }
      }
      if (!SseEvent.endsThere(p)) {
        return Usage.NONE;
      }
      if ("message_start".equals(found.type) && found.messageIsObject) {
        return found.messageUsage;
      }
      return found.responseHasUsage ? found.responseUsage : found.topLevel;
    }

    private void message(JsonParser p, JsonToken value) throws IOException {
      Nested message = Nested.read(p, value);
      messageIsObject = message.isObject();
      messageUsage = message.usage();
    }

    /** Only a response object whose usage is not null says where the usage is; then even a usage that is odd. */
    private void response(JsonParser p, JsonToken value) throws IOException {
      Nested response = Nested.read(p, value);
      responseHasUsage = response.usageNotNull();
      responseUsage = response.usage();
    }
  }

  /** The {@code usage} inside an object (a message, a response): the last one given, and whether it was not null. */
  private record Nested(boolean isObject, boolean usageNotNull, Usage usage) {

    /** Reads the value {@code p} stands on to its end; anything but an object is skipped. */
    static Nested read(JsonParser p, JsonToken value) throws IOException {
      if (value != JsonToken.START_OBJECT) {
        p.skipChildren();
        return new Nested(false, false, Usage.NONE);
      }
      boolean notNull = false;
      Usage usage = Usage.NONE;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean isUsage = p.currentName().equals("usage");
        JsonToken fieldValue = p.nextToken();
        if (isUsage) {
          notNull = fieldValue != JsonToken.VALUE_NULL;
          usage = UsageExtractor.usage(p, fieldValue);
        } else {
          p.skipChildren();
        }
      }
      return new Nested(true, notNull, usage);
    }
  }

  /** The counts of the usage object {@code p} stands on, read to its end; NONE (value skipped) for anything else. */
  private static Usage usage(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return Usage.NONE;
    }
    long prompt = -1;
    long completion = -1;
    long input = -1;
    long cacheCreation = -1;
    long cacheRead = -1;
    long output = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken count = p.nextToken();
      switch (field) {
        case "prompt_tokens" -> prompt = count(p, count);
        case "completion_tokens" -> completion = count(p, count);
        case "input_tokens" -> input = count(p, count);
        case "cache_creation_input_tokens" -> cacheCreation = count(p, count);
        case "cache_read_input_tokens" -> cacheRead = count(p, count);
        case "output_tokens" -> output = count(p, count);
        default -> p.skipChildren();
      }
    }
    if (input >= 0) {
      prompt = input + Math.max(0, cacheCreation) + Math.max(0, cacheRead);
    }
    if (output >= 0) {
      completion = output;
    }
    return new Usage(prompt, completion);
  }

  /** A string value's text, else null (the value skipped). */
  private static String text(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  /** A count as reported: any number, truncated to a long; -1 when negative or not a number. */
  private static long count(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
      p.skipChildren();
      return -1;
    }
    long count = p.getNumberValue().longValue();
    return count >= 0 ? count : -1;
  }

  /** A parser over the body's bytes, without copying them when the buffer is backed by an array. */
  private static JsonParser parser(Buffer body) throws IOException {
    if (body instanceof BufferInternal internal && internal.getByteBuf().hasArray()) {
      ByteBuf bytes = internal.getByteBuf();
      return BODY.createParser(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
    }
    return BODY.createParser(body.getBytes());
  }
}
