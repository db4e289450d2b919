package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.BackendTranslation;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Requests both ways against golden fixtures built from the providers' documented examples, plus the rules. */
class RequestTranslationTest {

  static Stream<String> fixtures() {
    return Fixtures.list("request", "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void translatesLikeTheGoldenFixture(String name) {
    JsonObject fixture = Fixtures.json("request/" + name);
    Protocol from = Protocol.parse(fixture.getString("from")).orElseThrow();
    Protocol to = from == Protocol.OPENAI ? Protocol.ANTHROPIC : Protocol.OPENAI;
    JsonObject input = fixture.getJsonObject("input");
    JsonObject before = input.copy();

    JsonObject out = Translation.request(from, to, input, options(fixture.getJsonObject("options")));

    assertJsonEquals(fixture.getJsonObject("expected"), out);
    assertEquals(before, input, "the client's body is never changed");
  }

  static BackendTranslation options(JsonObject o) {
    if (o == null) {
      return BackendTranslation.DEFAULTS;
    }
    return new BackendTranslation(o.getInteger("default_max_tokens", 4096),
        o.getString("max_tokens_field", "max_completion_tokens"), o.getBoolean("reasoning_effort", true));
  }

  private static JsonObject openAi(String json) {
    return new JsonObject(json);
  }

  private static JsonObject toAnthropic(JsonObject body) {
    return Translation.request(Protocol.OPENAI, Protocol.ANTHROPIC, body, BackendTranslation.DEFAULTS);
  }

  private static JsonObject toOpenAi(JsonObject body) {
    return Translation.request(Protocol.ANTHROPIC, Protocol.OPENAI, body, BackendTranslation.DEFAULTS);
  }

  @Test
  void anthropicNeedsMaxTokensSoTheConfiguredDefaultIsSent() {
    JsonObject body = openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonObject out = Translation.request(Protocol.OPENAI, Protocol.ANTHROPIC, body,
        new BackendTranslation(777, "max_completion_tokens", true));
    assertEquals(777, out.getInteger("max_tokens"));
  }

  @Test
  void thinkingStaysWithinTheClientsExplicitCeiling() {
    JsonObject out = toAnthropic(openAi("{\"model\":\"m\",\"max_completion_tokens\":3000,\"reasoning_effort\":\"high\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertEquals(3000, out.getInteger("max_tokens"));
    assertEquals(2999, out.getJsonObject("thinking").getInteger("budget_tokens"));

    JsonObject tooSmall = toAnthropic(openAi("{\"model\":\"m\",\"max_tokens\":500,\"reasoning_effort\":\"low\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertFalse(tooSmall.containsKey("thinking"), "a budget under Anthropic's 1024 minimum: no thinking");
    assertEquals(500, tooSmall.getInteger("max_tokens"));
  }

  @Test
  void thinkingIsNotRequestedWhenAnthropicWouldRefuseIt() {
    String history = "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\","
        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]";
    JsonObject unsigned = toAnthropic(openAi("{\"model\":\"m\",\"reasoning_effort\":\"low\",\"messages\":" + history
        + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}"));
    assertFalse(unsigned.containsKey("thinking"), "tool use continued without signed thinking");

    JsonObject forced = toAnthropic(openAi("{\"model\":\"m\",\"reasoning_effort\":\"low\",\"tool_choice\":\"required\","
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":"
        + "{\"name\":\"f\"}}]}"));
    assertFalse(forced.containsKey("thinking"), "a forced tool");
    assertEquals("any", forced.getJsonObject("tool_choice").getString("type"));
  }

  @Test
  void temperatureAboveAnthropicsRangeIsClamped() {
    JsonObject out = toAnthropic(openAi("{\"model\":\"m\",\"temperature\":1.8,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}"));
    assertEquals(1.0, out.getDouble("temperature"));
  }

  @Test
  void whatAnthropicCannotExpressIsAClearErrorNamingTheField() {
    TranslationException n = assertThrows(TranslationException.class, () -> toAnthropic(openAi(
        "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
    assertEquals("n", n.param());
    TranslationException audio = assertThrows(TranslationException.class, () -> toAnthropic(openAi(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}"
            + "}]}]}")));
    assertEquals("messages[0].content[0]", audio.param());
    TranslationException fileId = assertThrows(TranslationException.class, () -> toAnthropic(openAi(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_i"
            + "d\":\"f\"}}]}]}")));
    assertTrue(fileId.getMessage().contains("file ids"), fileId.getMessage());
    assertThrows(TranslationException.class, () -> toAnthropic(openAi(
        "{\"model\":\"m\",\"messages\":\"hello\"}")));
    TranslationException empty = assertThrows(TranslationException.class, () -> toAnthropic(openAi(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"\"}"
            + "]}")));
    assertEquals("messages", empty.param());
  }

  @Test
  void whatOpenAiCannotExpressIsAClearErrorNamingTheField() {
    TranslationException serverTool = assertThrows(TranslationException.class, () -> toOpenAi(new JsonObject(
        "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}")));
    assertEquals("tools[0].type", serverTool.param());
    TranslationException unknownBlock = assertThrows(TranslationException.class, () -> toOpenAi(new JsonObject(
        "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"container_uplo"
            + "ad\"}]}]}")));
    assertEquals("messages[0].content[0]", unknownBlock.param());
  }

  @Test
  void invalidToolArgumentsInTheHistoryAreKeptNotLost() {
    JsonObject out = toAnthropic(openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
        + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\","
        + "\"arguments\":\"{broken\"}}]}]}"));
    JsonObject input = out.getJsonArray("messages").getJsonObject(1).getJsonArray("content").getJsonObject(0)
        .getJsonObject("input");
    assertEquals("{broken", input.getString("_unparsed_arguments"));
  }

  @Test
  void noEmptyTextBlockEverReachesAnthropic() {
    JsonObject out = toAnthropic(openAi("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\" \"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"},{\"type\":\"text\",\"text\":\"q\"}]},"
        + "{\"role\":\"assistant\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\\n\"},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"\"}]},{\"role\":\"user\",\"conten"
            + "t\":\"r\"}]}"));
    assertFalse(out.containsKey("system"));
    JsonArray messages = out.getJsonArray("messages");
    assertEquals(1, messages.size(), messages.encode());
    for (Object block : messages.getJsonObject(0).getJsonArray("content")) {
      assertFalse(((JsonObject) block).getString("text").isBlank());
    }
  }

  @Test
  void endpointsMapAcrossProtocolsAndCountTokensIsAnsweredLocally() {
    assertEquals(Endpoint.MESSAGES, Translation.backendEndpoint(Endpoint.CHAT_COMPLETIONS, Protocol.ANTHROPIC)
        .orElseThrow());
    assertEquals(Endpoint.CHAT_COMPLETIONS, Translation.backendEndpoint(Endpoint.MESSAGES, Protocol.OPENAI)
        .orElseThrow());
    assertTrue(Translation.backendEndpoint(Endpoint.COUNT_TOKENS, Protocol.OPENAI).isEmpty());
    assertTrue(Translation.backendEndpoint(Endpoint.EMBEDDINGS, Protocol.ANTHROPIC).isEmpty());
    assertEquals(Endpoint.EMBEDDINGS, Translation.backendEndpoint(Endpoint.EMBEDDINGS, Protocol.OPENAI).orElseThrow());
  }

  @Test
  void thinkingBudgetMapsToEffortAndBack() {
    for (String effort : new String[] {"low", "medium", "high"}) {
      assertEquals(effort, ReasoningBudget.effort(ReasoningBudget.budget(effort)));
    }
    JsonObject off = Translation.request(Protocol.ANTHROPIC, Protocol.OPENAI, new JsonObject(
        "{\"model\":\"m\",\"max_tokens\":10,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        new BackendTranslation(4096, "max_tokens", false));
    assertFalse(off.containsKey("reasoning_effort"), "reasoning_effort: false on the backend");
    assertEquals(10, off.getInteger("max_tokens"));
  }

  @Test
  void unsignedThinkingIsDroppedBeforeAnAnthropicBackendSeesIt() {
    JsonObject body = new JsonObject("{\"model\":\"m\",\"max_tokens\":10,\"messages\":["
        + "{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":["
        + "{\"type\":\"thinking\",\"thinking\":\"from an OpenAI backend\",\"signature\":\"\"},"
        + "{\"type\":\"thinking\",\"thinking\":\"from Anthropic\",\"signature\":\"sig\"},"
        + "{\"type\":\"redacted_thinking\",\"data\":\"x\"},{\"type\":\"text\",\"text\":\"a\"}]}]}");
    assertTrue(Translation.dropUnsignedThinking(body));
    JsonArray content = body.getJsonArray("messages").getJsonObject(1).getJsonArray("content");
    assertEquals(3, content.size());
    assertEquals("sig", content.getJsonObject(0).getString("signature"));
    assertFalse(Translation.dropUnsignedThinking(body), "nothing left to drop");
  }
}
