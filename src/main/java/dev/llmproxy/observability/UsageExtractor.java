package dev.llmproxy.observability;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

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

  private UsageExtractor() {}

  /** Usage of a whole (non-stream) JSON answer; {@link Usage#NONE} for anything else (errors, not JSON). */
  public static Usage fromBody(Buffer body) {
    if (body == null || body.length() == 0) {
      return Usage.NONE;
    }
    try {
      Object parsed = Json.decodeValue(body);
      return parsed instanceof JsonObject json ? fromUsage(json.getValue("usage")) : Usage.NONE;
    } catch (RuntimeException e) {
      return Usage.NONE;
    }
  }

  /** Usage carried by one stream event, or {@link Usage#NONE}. Cheap for the many events that carry none. */
  public static Usage fromEvent(SseEvent event) {
    String data = event.data();
    if (data == null || !data.contains("usage")) {
      return Usage.NONE;
    }
    JsonObject json;
    try {
      Object parsed = Json.decodeValue(data);
      if (!(parsed instanceof JsonObject o)) {
        return Usage.NONE;
      }
      json = o;
    } catch (RuntimeException e) {
      return Usage.NONE;
    }
    if ("message_start".equals(json.getString("type")) && json.getValue("message") instanceof JsonObject message) {
      return fromUsage(message.getValue("usage"));
    }
    // The Responses API reports usage in response.completed (response.incomplete, response.failed): input/output.
    if (json.getValue("response") instanceof JsonObject response && response.getValue("usage") != null) {
      return fromUsage(response.getValue("usage"));
    }
    return fromUsage(json.getValue("usage"));
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

  private static Usage fromUsage(Object value) {
    if (!(value instanceof JsonObject usage)) {
      return Usage.NONE;
    }
    long prompt = count(usage, "prompt_tokens");
    long completion = count(usage, "completion_tokens");
    long input = count(usage, "input_tokens");
    if (input >= 0) {
      prompt = input + Math.max(0, count(usage, "cache_creation_input_tokens"))
          + Math.max(0, count(usage, "cache_read_input_tokens"));
    }
    long output = count(usage, "output_tokens");
    if (output >= 0) {
      completion = output;
    }
    return new Usage(prompt, completion);
  }

  private static long count(JsonObject usage, String field) {
    return usage.getValue(field) instanceof Number n && n.longValue() >= 0 ? n.longValue() : -1;
  }
}
