package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.json.JsonScan;
import dev.llmproxy.observability.UsageExtractor.Usage;
import dev.llmproxy.streaming.SseEvent;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class UsageExtractorTest {

  /** Answers that are odd where the usage is read: which {@code usage} counts, what comes before and after it. */
  private static final List<String> ODD_BODIES = List.of(
      "{\"usage\":{\"prompt_tokens\":1},\"usage\":{\"prompt_tokens\":2}}",
      "{\"usage\":null,\"usage\":{\"prompt_tokens\":3}}",
      "{\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5}} trailing garbage",
      "{\"usage\":{\"prompt_tokens\":6}, broken",
      "{\"x\": broken, \"usage\":{\"prompt_tokens\":7}}",
      "{\"usage\":{\"prompt_tokens\":8}",
      "{\"usage\":{\"prompt_tokens\":9,}}",
      "{\"usage\":/* comment */{\"prompt_tokens\":10}}",
      "{/* comment */\"usage\":{\"prompt_tokens\":11}}",
      "{\"data\":{\"usage\":{\"prompt_tokens\":12}}}",
      "{\"usage\":{\"input_tokens\":13,\"cache_creation_input_tokens\":-5,\"cache_read_input_tokens\":2.7,"
          + "\"output_tokens\":1e3}}",
      "{\"usage\":{\"prompt_tokens\":12345678901234567890,\"completion_tokens\":99999999999999999999}}",
      "{\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":null,\"completion_tokens\":\"2\"}}",
      "{\"usage\":{\"input_tokens\":null,\"prompt_tokens\":14,\"output_tokens\":-1,\"completion_tokens\":15}}",
      "{\"usage\":{\"prompt_tokens\":16,\"nested\":{\"a\":[1,{\"b\":\"\\u00e9\"}]}}}",
      "{\"usage\":{\"prompt_tokens\":17,\"x\":\"bad escape \\q\"}}",
      "{\"usage\":\"{\\\"prompt_tokens\\\":18}\"}",
      "{\"usage\":[{\"prompt_tokens\":19}]}",
      "{\"usage\":19}",
      "{\"usage\":{}}",
      "{\"u\\u0073age\":{\"prompt_tokens\":20}}",
      "  \n {\"usage\":{\"prompt_tokens\":21}}  ",
      "\uFEFF{\"usage\":{\"prompt_tokens\":22}}",
      "[{\"usage\":{\"prompt_tokens\":23}}]",
      "\"usage\"",
      "{}",
      "{",
      " ");

  /** Every event of the recorded streams and of the odd-event corpus. */
  private static List<SseEvent> corpus() throws IOException {
    List<SseEvent> events = new ArrayList<>();
    Path resources = Path.of("src/test/resources");
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".sse")).sorted().toList()) {
        events.addAll(SseEvent.parseAll(Buffer.buffer(Files.readString(file))));
      }
    }
    events.addAll(SseEvent.parseAll(Buffer.buffer(Files.readString(resources.resolve("events/odd-events.txt")))));
    return events;
  }

  /** The whole answers of the translation fixtures, as their providers sent them and as translated. */
  private static List<Buffer> recordedBodies() throws IOException {
    List<Buffer> bodies = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/translation/response"))) {
      for (Path file : files.sorted().toList()) {
        JsonObject fixture = new JsonObject(Files.readString(file));
        bodies.add(fixture.getJsonObject("input").toBuffer());
        bodies.add(fixture.getJsonObject("expected").toBuffer());
        bodies.add(fixture.toBuffer());
      }
    }
    return bodies;
  }

  @Test
  void theScanOfAnEventReadsTheUsageTheDecodeRead() throws Exception {
    List<SseEvent> events = corpus();
    assertTrue(events.size() > 250, "events: " + events.size());
    long withUsage = 0;
    for (SseEvent event : events) {
      Usage expected = Decoded.fromEvent(new SseEvent(event.raw(), event.name(), event.data()));
      assertEquals(expected, UsageExtractor.fromEvent(event), event.data());
      withUsage += expected.isEmpty() ? 0 : 1;
    }
    assertTrue(withUsage > 25, "events with usage: " + withUsage);
  }

  @Test
  void theScanOfAnAnswerReadsTheUsageTheDecodeRead() throws Exception {
    List<Buffer> bodies = new ArrayList<>(recordedBodies());
    ODD_BODIES.forEach(body -> bodies.add(Buffer.buffer(body)));
    for (SseEvent event : corpus()) {
      if (event.data() != null) {
        bodies.add(Buffer.buffer(event.data()));
      }
    }
    bodies.add(Buffer.buffer(new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xff, '"', ',', '"', 'u', 's', 'a', 'g',
        'e', '"', ':', '{', '"', 'p', 'r', 'o', 'm', 'p', 't', '_', 't', 'o', 'k', 'e', 'n', 's', '"', ':', '1', '}',
        '}'}));
    long withUsage = 0;
    for (Buffer body : bodies) {
      Usage expected = Decoded.fromBody(body);
      String text = body.toString(StandardCharsets.UTF_8);
      assertEquals(expected, UsageExtractor.fromBody(body), text);
      // The same bytes in a direct buffer, and inside a larger array at an offset.
      assertEquals(expected, UsageExtractor.fromBody(BufferInternal.buffer(Unpooled.directBuffer().writeBytes(
          body.getBytes()))), "direct: " + text);
      Buffer around = Buffer.buffer("xx").appendBuffer(body).appendString("yy");
      assertEquals(expected, UsageExtractor.fromBody(around.slice(2, 2 + body.length())), "slice: " + text);
      withUsage += expected.isEmpty() ? 0 : 1;
    }
    assertTrue(withUsage > 30, "answers with usage: " + withUsage);
  }

  /** The extractor's reading of the decoded objects, as it was: the oracle the scans must agree with. */
  private static final class Decoded {

    static Usage fromBody(Buffer body) {
      if (body == null || body.length() == 0) {
        return Usage.NONE;
      }
      Buffer usage = JsonScan.field(body, "usage", Integer.MAX_VALUE);
      if (usage == null) {
        return Usage.NONE;
      }
      try {
        return fromUsage(Json.decodeValue(usage));
      } catch (RuntimeException e) {
        return Usage.NONE;
      }
    }

    static Usage fromEvent(SseEvent event) {
      String data = event.data();
      if (data == null || !data.contains("usage")) {
        return Usage.NONE;
      }
      JsonObject json = event.json();
      if (json == null) {
        return Usage.NONE;
      }
      if ("message_start".equals(json.getString("type")) && json.getValue("message") instanceof JsonObject message) {
        return fromUsage(message.getValue("usage"));
      }
      if (json.getValue("response") instanceof JsonObject response && response.getValue("usage") != null) {
        return fromUsage(response.getValue("usage"));
      }
      return fromUsage(json.getValue("usage"));
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

  private static SseEvent event(String text) {
    return SseEvent.parse(Buffer.buffer(text));
  }

  @Test
  void openAiNonStreamBody() {
    Usage u = UsageExtractor.fromBody(Buffer.buffer(
        "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}"));
    assertEquals(new Usage(12, 7), u);
  }

  @Test
  void openAiEmbeddingsHaveOnlyPromptTokens() {
    assertEquals(new Usage(5, -1),
        UsageExtractor.fromBody(Buffer.buffer("{\"data\":[],\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}")));
  }

  @Test
  void anthropicNonStreamBodyCountsCacheTokensAsPrompt() {
    Usage u = UsageExtractor.fromBody(Buffer.buffer("{\"type\":\"message\",\"usage\":{\"input_tokens\":10,"
        + "\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000,\"output_tokens\":42}}"));
    assertEquals(new Usage(1110, 42), u);
  }

  @Test
  void bodiesWithoutUsageGiveNone() {
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("{\"error\":{\"message\":\"overloaded\"}}")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("not json at all")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("[1,2]")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer()).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("{\"usage\":{\"prompt_tokens\":\"many\"}}")).isEmpty());
  }

  @Test
  void openAiStreamFinalUsageChunk() {
    assertTrue(UsageExtractor.fromEvent(event(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n")).isEmpty());
    assertEquals(new Usage(9, 3), UsageExtractor.fromEvent(event(
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n")));
    assertTrue(UsageExtractor.fromEvent(event("data: [DONE]\n\n")).isEmpty());
  }

  @Test
  void anthropicStreamStartAndDelta() {
    assertEquals(new Usage(25, 1), UsageExtractor.fromEvent(event("event: message_start\ndata: "
        + "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n")));
    assertEquals(new Usage(-1, 15), UsageExtractor.fromEvent(event("event: message_delta\ndata: "
        + "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n")));
    assertTrue(UsageExtractor.fromEvent(event("event: ping\ndata: {\"type\":\"ping\"}\n\n")).isEmpty());
    assertTrue(UsageExtractor.fromEvent(event(": keep-alive comment\n\n")).isEmpty());
  }

  @Test
  void malformedEventsGiveNone() {
    assertTrue(UsageExtractor.fromEvent(event("data: {\"usage\": broken\n\n")).isEmpty());
  }
}
