package dev.llmproxy.support;

import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI Responses API as a provider speaks it, for {@link MockUpstream} scripts. Streams are the event
 * sequences of src/test/resources/responses/ (shaped after the API reference's streaming events and OpenAI's
 * recorded streams: {@code event:} names, {@code sequence_number}s, whole response objects in the lifecycle
 * events, no {@code [DONE]}): {@code text.sse} (one message, "Hi there! How can I help?"),
 * {@code function-call.sse} (reasoning, then a function call), {@code failed-first.sse} ({@code response.failed}
 * before any output).
 */
public final class ResponsesApi {

  /** The text of {@code text.sse}. */
  public static final String TEXT = "Hi there! How can I help?";

  private ResponsesApi() {}

  /** The events of a fixture, each as its text (blank line included). */
  public static List<String> events(String fixture) {
    List<String> events = new ArrayList<>();
    new SseEventSplitter().feed(Buffer.buffer(bytes(fixture)), raw -> events.add(raw.toString(StandardCharsets.UTF_8)));
    return events;
  }

  /** The events of a fixture, parsed. */
  public static List<SseEvent> parsed(String fixture) {
    return events(fixture).stream().map(e -> SseEvent.parse(Buffer.buffer(e))).toList();
  }

  /** The fixture streamed, {@code interval} apart. */
  public static MockUpstream.Reply stream(String fixture, Duration interval) {
    return MockUpstream.sse(events(fixture), interval, true);
  }

  /** The first {@code count} events of the text stream, then the connection dies (an upstream cut mid-answer). */
  public static MockUpstream.Reply textCutAfter(int count) {
    return MockUpstream.sseThenReset(events("text.sse").subList(0, count), Duration.ofMillis(2));
  }

  /** A completed non-stream response whose one message says {@code text}, with the model the request named. */
  public static MockUpstream.Reply response(String text) {
    return (req, body, up) -> MockUpstream.json(200, responseObject(body.toJsonObject().getString("model"), text))
        .send(req, body, up);
  }

  /** A plain answer to a non-stream request, the text fixture to a stream. */
  public static MockUpstream.Reply answers(String text) {
    return (req, body, up) -> (Boolean.TRUE.equals(body.toJsonObject().getValue("stream"))
        ? stream("text.sse", Duration.ofMillis(1)) : response(text)).send(req, body, up);
  }

  public static JsonObject responseObject(String model, String text) {
    return new JsonObject().put("id", "resp_" + Integer.toHexString(text.hashCode())).put("object", "response")
        .put("created_at", 1_741_476_542).put("status", "completed").put("error", null)
        .put("incomplete_details", null).put("instructions", null).put("model", model)
        .put("output", new JsonArray().add(new JsonObject().put("id", "msg_1").put("type", "message")
            .put("status", "completed").put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
                .put("type", "output_text").put("annotations", new JsonArray()).put("text", text)))))
        .put("parallel_tool_calls", true).put("tool_choice", "auto").put("tools", new JsonArray())
        .put("usage", new JsonObject().put("input_tokens", 12)
            .put("input_tokens_details", new JsonObject().put("cached_tokens", 0)).put("output_tokens", 4)
            .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", 16));
  }

  /** A Responses request body. */
  public static String request(String model, boolean stream, String input) {
    return new JsonObject().put("model", model).put("input", input).put("stream", stream).encode();
  }

  private static byte[] bytes(String fixture) {
    try (InputStream in = ResponsesApi.class.getResourceAsStream("/responses/" + fixture)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + fixture);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
