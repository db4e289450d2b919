package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.demotion.StreamAssembler;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recorded provider streams (the providers' documented event sequences) through the stream translators. Each
 * translated stream is read back the way a client reads it and reassembled; the result must equal the non-stream
 * translation of the same answer, so streaming and non-streaming clients see the same thing.
 */
class StreamTranslationTest {

  static final long CREATED = 1_700_000_000L;
  static final JsonObject WANTS_USAGE =
      new JsonObject().put("stream_options", new JsonObject().put("include_usage", true));

  static Stream<String> completeStreams() {
    return Fixtures.list("stream", "").filter(n -> !n.contains("error"));
  }

  static Protocol backendOf(String fixture) {
    return fixture.startsWith("anthropic") ? Protocol.ANTHROPIC : Protocol.OPENAI;
  }

  static Protocol other(Protocol p) {
    return p == Protocol.OPENAI ? Protocol.ANTHROPIC : Protocol.OPENAI;
  }

  /** Feeds every event; returns the whole output and checks each content event produced output at once. */
  static Buffer translate(StreamTranslator translator, List<SseEvent> events, boolean end) {
    Buffer all = Buffer.buffer();
    for (SseEvent event : events) {
      Buffer out = Buffer.buffer();
      translator.onEvent(event.name(), event.data(), out);
      if (carriesContent(event)) {
        assertTrue(out.length() > 0, "content must be emitted as it arrives, not held: " + event.data());
      }
      all.appendBuffer(out);
    }
    if (end) {
      translator.onEnd(all);
    }
    return all;
  }

  static boolean carriesContent(SseEvent event) {
    String data = event.data();
    return data != null && (data.matches(".*\"(text|thinking|partial_json)\": ?\"[^\"].*")
        || data.matches(".*\"(content|reasoning_content|arguments)\":\"[^\"].*"));
  }

  static JsonObject reassemble(Protocol protocol, Buffer stream) {
    StreamAssembler assembler = StreamAssembler.of(protocol);
    for (SseEvent e : Fixtures.events(stream)) {
      assembler.onEvent(e.name(), e.data());
    }
    assertTrue(assembler.complete(), "the translated stream is a complete answer:\n" + stream);
    return assembler.result();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("completeStreams")
  void aTranslatedStreamReassemblesToTheTranslatedAnswer(String fixture) {
    Protocol backend = backendOf(fixture);
    Protocol client = other(backend);
    List<SseEvent> events = Fixtures.events("stream/" + fixture);

    StreamTranslator translator = Translation.stream(backend, client, WANTS_USAGE, "route-model", CREATED);
    Buffer out = translate(translator, events, true);

    JsonObject upstreamAnswer = reassemble(backend, Fixtures.events("stream/" + fixture).stream()
        .map(SseEvent::raw).reduce(Buffer.buffer(), Buffer::appendBuffer));
    JsonObject expected = Translation.response(backend, client, upstreamAnswer, "route-model", CREATED);
    JsonObject actual = reassemble(client, out);
    normalizeEmptyContent(expected);
    normalizeEmptyContent(actual);
    assertJsonEquals(expected, actual);
    assertTrue(translator.complete());
    assertEndsOnce(client, out);
  }

  /**
   * Same meaning, different spelling: OpenAI streams open with {@code content: ""} where a non-stream tool-call
   * answer says null, and streamed arguments keep the model's own spacing where a re-encoded input is compact.
   */
  private static void normalizeEmptyContent(JsonObject answer) {
    if (answer.getValue("choices") instanceof JsonArray choices) {
      JsonObject message = choices.getJsonObject(0).getJsonObject("message");
      if ("".equals(message.getValue("content"))) {
        message.put("content", null);
      }
      if (message.getValue("tool_calls") instanceof JsonArray calls) {
        for (Object call : calls) {
          JsonObject function = ((JsonObject) call).getJsonObject("function");
          function.put("arguments", new JsonObject(function.getString("arguments")));
        }
      }
    }
  }

  static void assertEndsOnce(Protocol client, Buffer out) {
    List<SseEvent> events = Fixtures.events(out);
    SseEvent last = events.get(events.size() - 1);
    if (client == Protocol.OPENAI) {
      assertEquals("[DONE]", last.data());
      assertEquals(1, events.stream().filter(e -> "[DONE]".equals(e.data())).count());
    } else {
      assertEquals("message_stop", last.name());
      assertEquals(1, events.stream().filter(e -> "message_stop".equals(e.name())).count());
      assertEquals(1, events.stream().filter(e -> "message_delta".equals(e.name())).count());
    }
  }

  @Test
  void anthropicToolStreamGivesOpenAiToolCallDeltasIncrementally() {
    StreamTranslator translator = Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, WANTS_USAGE, "m", CREATED);
    Buffer out = translate(translator, Fixtures.events("stream/anthropic-tools.sse"), true);
    List<JsonObject> chunks = Fixtures.events(out).stream().filter(e -> e.data() != null && e.data().startsWith("{"))
        .map(e -> new JsonObject(e.data())).toList();
    List<String> fragments = chunks.stream()
        .map(c -> c.getJsonArray("choices").isEmpty() ? null
            : c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta"))
        .filter(d -> d != null && d.getJsonArray("tool_calls") != null)
        .map(d -> d.getJsonArray("tool_calls").getJsonObject(0))
        .filter(call -> call.getInteger("index") == 0 && call.getJsonObject("function").getString("name") == null)
        .map(call -> call.getJsonObject("function").getString("arguments")).toList();
    assertEquals(List.of("{\"location\":", " \"San", " Francisc", "o, CA\"", ", \"unit\": \"fah", "renheit\"}"),
        fragments);
    JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
    assertJsonEquals(new JsonObject("{\"prompt_tokens\":572,\"completion_tokens\":89,\"total_tokens\":661,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":100}}"), usage);
  }

  @Test
  void noUsageChunkUnlessTheOpenAiClientAskedForOne() {
    StreamTranslator translator =
        Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, new JsonObject(), "m", CREATED);
    Buffer out = translate(translator, Fixtures.events("stream/anthropic-text.sse"), true);
    for (SseEvent e : Fixtures.events(out)) {
      if (e.data() != null && e.data().startsWith("{")) {
        assertFalse(new JsonObject(e.data()).getJsonArray("choices").isEmpty(),
            "a chunk without choices breaks clients that did not ask for usage");
      }
    }
  }

  @Test
  void openAiToolStreamOpensOneAnthropicBlockPerCallAndStreamsPartialJson() {
    StreamTranslator translator = Translation.stream(Protocol.OPENAI, Protocol.ANTHROPIC, null, "m", CREATED);
    Buffer out = translate(translator, Fixtures.events("stream/openai-tools.sse"), true);
    List<SseEvent> events = Fixtures.events(out);
    List<String> names = events.stream().map(SseEvent::name).toList();
    assertEquals("message_start", names.get(0));
    assertEquals(2, names.stream().filter("content_block_start"::equals).count());
    assertEquals(2, names.stream().filter("content_block_stop"::equals).count());
    JsonObject messageDelta = events.stream().filter(e -> "message_delta".equals(e.name())).findFirst()
        .map(e -> new JsonObject(e.data())).orElseThrow();
    assertEquals("tool_use", messageDelta.getJsonObject("delta").getString("stop_reason"));
    assertJsonEquals(new JsonObject("{\"input_tokens\":18,\"cache_creation_input_tokens\":0,"
        + "\"cache_read_input_tokens\":64,\"output_tokens\":17}"), messageDelta.getJsonObject("usage"));
  }

  @Test
  void inBandErrorsBecomeTheClientsErrorEventWithNoCleanEnd() {
    StreamTranslator toOpenAi = Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, WANTS_USAGE, "m", CREATED);
    Buffer openAi = translate(toOpenAi, Fixtures.events("stream/anthropic-error.sse"), true);
    List<SseEvent> openAiEvents = Fixtures.events(openAi);
    JsonObject error = new JsonObject(openAiEvents.get(openAiEvents.size() - 1).data());
    assertEquals("Overloaded", error.getJsonObject("error").getString("message"));
    assertEquals("overloaded", error.getJsonObject("error").getString("code"));
    assertFalse(openAi.toString().contains("[DONE]"));
    assertTrue(toOpenAi.ended());
    assertFalse(toOpenAi.complete());

    StreamTranslator toAnthropic = Translation.stream(Protocol.OPENAI, Protocol.ANTHROPIC, null, "m", CREATED);
    Buffer anthropic = translate(toAnthropic, Fixtures.events("stream/openai-error.sse"), true);
    List<SseEvent> anthropicEvents = Fixtures.events(anthropic);
    SseEvent last = anthropicEvents.get(anthropicEvents.size() - 1);
    assertEquals("error", last.name());
    assertEquals("api_error", new JsonObject(last.data()).getJsonObject("error").getString("type"));
    assertFalse(anthropic.toString().contains("message_stop"));
  }

  @Test
  void aStreamCutBeforeItsFinishEndsWithAnErrorNeverACleanEnd() {
    for (String fixture : List.of("anthropic-tools.sse", "openai-tools.sse")) {
      Protocol backend = backendOf(fixture);
      List<SseEvent> events = Fixtures.events("stream/" + fixture);
      List<SseEvent> cut = events.subList(0, events.size() / 2);
      StreamTranslator translator = Translation.stream(backend, other(backend), WANTS_USAGE, "m", CREATED);
      Buffer out = translate(translator, cut, true);
      String text = out.toString();
      assertFalse(text.contains("[DONE]") || text.contains("message_stop"), fixture + ":\n" + text);
      assertTrue(text.contains("before the answer was complete"), text);
      assertFalse(translator.complete());

      Buffer after = Buffer.buffer();
      translator.onEvent(null, events.get(events.size() - 1).data(), after);
      translator.onEnd(after);
      translator.onFailure("late", after);
      assertEquals(0, after.length(), "nothing after the end");
    }
  }

  @Test
  void aFinishedStreamWhoseEndMarkerWasLostStillEndsCleanly() {
    for (String fixture : List.of("anthropic-text.sse", "openai-text.sse")) {
      Protocol backend = backendOf(fixture);
      List<SseEvent> events = Fixtures.events("stream/" + fixture);
      StreamTranslator translator = Translation.stream(backend, other(backend), WANTS_USAGE, "m", CREATED);
      Buffer out = translate(translator, events.subList(0, events.size() - 1), true);
      assertEndsOnce(other(backend), out);
      assertTrue(translator.complete(), fixture);
    }
  }

  @Test
  void anUpstreamFailureMidStreamIsOneErrorEvent() {
    StreamTranslator translator = Translation.stream(Protocol.OPENAI, Protocol.ANTHROPIC, null, "m", CREATED);
    List<SseEvent> events = Fixtures.events("stream/openai-text.sse");
    Buffer out = translate(translator, events.subList(0, 2), false);
    translator.onFailure("idle timeout", out);
    translator.onFailure("again", out);
    List<SseEvent> written = Fixtures.events(out);
    assertEquals(1, written.stream().filter(e -> "error".equals(e.name())).count());
    assertTrue(written.get(written.size() - 1).data().contains("idle timeout"));
  }

  @Test
  void pingsBecomeCommentsThatKeepTheConnectionAlive() {
    StreamTranslator translator = Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, null, "m", CREATED);
    Buffer out = Buffer.buffer();
    translator.onEvent("ping", "{\"type\": \"ping\"}", out);
    assertEquals(": ping\n\n", out.toString());
  }

  @Test
  void thinkingSignatureReachesOpenAiClientsForTheNextTurn() {
    StreamTranslator translator = Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, null, "m", CREATED);
    Buffer out = translate(translator, Fixtures.events("stream/anthropic-thinking.sse"), true);
    JsonObject signed = Fixtures.events(out).stream()
        .filter(e -> e.data() != null && e.data().contains("thinking_blocks"))
        .map(e -> new JsonObject(e.data())).findFirst().orElseThrow();
    JsonObject block = signed.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
        .getJsonArray("thinking_blocks").getJsonObject(0);
    assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", block.getString("signature"));
    assertNotNull(block.getString("thinking"));
    assertTrue(block.getString("thinking").endsWith("= 21"));
  }
}
