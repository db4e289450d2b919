package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Non-stream answers both ways against golden fixtures from the providers' documented responses. */
class ResponseTranslationTest {

  static final long CREATED = 1_700_000_000L;

  static Stream<String> fixtures() {
    return Fixtures.list("response", "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void translatesLikeTheGoldenFixture(String name) {
    JsonObject fixture = Fixtures.json("response/" + name);
    Protocol backend = Protocol.parse(fixture.getString("from")).orElseThrow();
    Protocol client = backend == Protocol.OPENAI ? Protocol.ANTHROPIC : Protocol.OPENAI;

    JsonObject out = Translation.response(backend, client, fixture.getJsonObject("input"), "route-model", CREATED);

    assertJsonEquals(fixture.getJsonObject("expected"), out);
  }

  @Test
  void bytesInBytesOutKeepEveryDigit() {
    Buffer body = Buffer.buffer("{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude\",\"content\":[{\"typ"
        + "e\":\"tool_use\","
        + "\"id\":\"t\",\"name\":\"f\",\"input\":{\"big\":123456789012345678901234567890,\"ratio\":0.100000000000000"
            + "00555}}],"
        + "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}");
    Buffer out = Translation.response(Protocol.ANTHROPIC, Protocol.OPENAI, body, "m", CREATED);
    String arguments = out.toJsonObject().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments");
    assertEquals("{\"big\":123456789012345678901234567890,\"ratio\":0.10000000000000000555}", arguments);
  }

  @Test
  void anAnswerThatIsNotJsonCannotBeTranslated() {
    assertThrows(TranslationException.class,
        () -> Translation.response(Protocol.OPENAI, Protocol.ANTHROPIC, Buffer.buffer("<html>"), "m", CREATED));
  }

  @Test
  void anOpenAiRefusalIsAnAnthropicRefusal() {
    JsonObject out = Translation.response(Protocol.OPENAI, Protocol.ANTHROPIC, new JsonObject(
        "{\"id\":\"c\",\"model\":\"gpt\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":n"
            + "ull,"
            + "\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}"), "m", CREATED);
    assertEquals("refusal", out.getString("stop_reason"));
    assertEquals("I can't help with that.", out.getJsonArray("content").getJsonObject(0).getString("text"));
    assertTrue(out.getJsonObject("usage").containsKey("input_tokens"), "usage is always present for Anthropic SDKs");
  }

  @Test
  void stopReasonsMapBothWays() {
    String[][] pairs = {{"stop", "end_turn"}, {"length", "max_tokens"}, {"tool_calls", "tool_use"},
        {"content_filter", "refusal"}};
    for (String[] pair : pairs) {
      assertEquals(pair[1], StopReasons.toAnthropic(pair[0]));
      assertEquals(pair[0], StopReasons.toOpenAi(pair[1]));
    }
    assertEquals("stop", StopReasons.toOpenAi("stop_sequence"));
    assertEquals("stop", StopReasons.toOpenAi("pause_turn"));
    assertEquals("length", StopReasons.toOpenAi("model_context_window_exceeded"));
  }
}
