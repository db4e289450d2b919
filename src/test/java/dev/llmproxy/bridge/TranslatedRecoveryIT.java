package dev.llmproxy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.support.ScriptedModel.Break;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Translated streams are judged before their first byte in the backend's protocol, and continued by mid-stream
 * recovery when they break: the continuation is made in the client's protocol and translated for the next route,
 * and the next leg's translated events are rewritten into the client's one stream.
 */
@ExtendWith(VertxExtension.class)
class TranslatedRecoveryIT {

  static final String ANSWER = IntStream.rangeClosed(1, 30).mapToObj(i -> String.format("word%02d", i))
      .collect(Collectors.joining(" ")) + ".";
  static final int CUT = 10;
  static final String DELIVERED = String.join("", ScriptedModel.pieces(ANSWER).subList(0, CUT));

  private static GatewayHarness gateway(Vertx vertx, MockUpstream first, String firstProtocol, MockUpstream second,
      String secondProtocol) {
    return GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        fallback: {retry_same_route: 0}
        backends: [{name: first, url: "%s", protocol: %s}, {name: second, url: "%s", protocol: %s}]
        models: {m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]}
        """.formatted(first.url(), firstProtocol, second.url(), secondProtocol));
  }

  private static HttpResponse<String> openAiStream(GatewayHarness gw) {
    HttpResponse<String> r = gw.post("/v1/chat/completions", """
        {"model":"m","stream":true,"stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"count to thirty"}]}""");
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  private static HttpResponse<String> anthropicStream(GatewayHarness gw) {
    HttpResponse<String> r = gw.post("/v1/messages", """
        {"model":"m","stream":true,"max_tokens":300,"messages":[{"role":"user","content":"count to thirty"}]}""");
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  /** One OpenAI stream: the whole answer once, one role chunk, one finish, one [DONE], the first leg's id. */
  private static void assertOneOpenAiStream(String body) {
    ClientStream stream = ClientStream.of(body);
    assertEquals(ANSWER, stream.openAiText(), body);
    List<JsonObject> chunks = stream.data();
    String id = chunks.get(0).getString("id");
    for (JsonObject chunk : chunks) {
      assertNull(chunk.getValue("error"), body);
      assertEquals(id, chunk.getString("id"), "one id throughout: " + body);
    }
    assertEquals(1, chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty()
        && c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").containsKey("role")).count(), body);
    assertEquals(1, chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty()
        && c.getJsonArray("choices").getJsonObject(0).getValue("finish_reason") != null).count(), body);
    assertEquals(1, stream.count("[DONE]"));
    assertTrue(body.endsWith("data: [DONE]\n\n"), body);
  }

  /** One Anthropic stream: one message_start, the whole answer once, one message_delta and message_stop. */
  private static void assertOneAnthropicStream(String body) {
    ClientStream stream = ClientStream.of(body);
    assertEquals(ANSWER, stream.anthropicText(), body);
    assertEquals(1, stream.ofType("message_start").size(), body);
    assertEquals(1, stream.ofType("message_delta").size(), body);
    assertEquals(0, stream.ofType("error").size(), body);
    assertEquals("message_stop", stream.last().getString("type"));
  }

  @Test
  void aTranslatedStreamIsJudgedInTheBackendsProtocolBeforeItsFirstByte(Vertx vertx) {
    // The Anthropic route opens its message, then reports overload before any content: a failure, invisible.
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(0, Break.ERROR_EVENT));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = gateway(vertx, first, "anthropic", second, "openai")) {
      HttpResponse<String> r = openAiStream(gw);
      assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertOneOpenAiStream(r.body());
      assertFalse(r.body().contains("msg_first"), "nothing of the failed route reached the client");
    }
  }

  @Test
  void aCutAnthropicStreamServingAnOpenAiClientIsFinishedByAnOpenAiRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = gateway(vertx, first, "anthropic", second, "openai")) {
      HttpResponse<String> r = openAiStream(gw);
      assertEquals("first", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertOneOpenAiStream(r.body());
      assertTrue(r.body().contains("\"id\":\"msg_first\""), "the first (translated) leg's identity throughout");
      JsonArray sent = second.last().json().getJsonArray("messages");
      assertEquals(new JsonObject().put("role", "assistant").put("content", DELIVERED.stripTrailing()),
          sent.getJsonObject(sent.size() - 1), "the continuation, in the client's protocol");
    }
  }

  @Test
  void aCutOpenAiStreamServingAnAnthropicClientIsFinishedByAnAnthropicRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = gateway(vertx, first, "openai", second, "anthropic")) {
      HttpResponse<String> r = anthropicStream(gw);
      assertOneAnthropicStream(r.body());
      JsonArray sent = second.last().json().getJsonArray("messages");
      assertEquals(new JsonObject().put("role", "assistant").put("content", DELIVERED.stripTrailing()),
          sent.getJsonObject(sent.size() - 1));
    }
  }

  @Test
  void bothLegsTranslatedTheContinuationIsTranslatedForTheNextRouteToo(Vertx vertx) {
    // An OpenAI client on two Anthropic routes; the first reports overload mid-answer in its own protocol.
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(CUT, Break.ERROR_EVENT));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = gateway(vertx, first, "anthropic", second, "anthropic")) {
      HttpResponse<String> r = openAiStream(gw);
      assertOneOpenAiStream(r.body());
      JsonArray sent = second.last().json().getJsonArray("messages");
      assertEquals(new JsonObject("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\""
          + DELIVERED.stripTrailing() + "\"}]}"), sent.getJsonObject(sent.size() - 1),
          "the prefill as Anthropic text blocks, without its trailing space");
      assertEquals("/v1/messages", second.last().path());
    }
  }

  @Test
  void aCutTranslatedStreamNoRouteCanFinishEndsWithTheClientProtocolsErrorEvent(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.status(500, "{}"));
    try (GatewayHarness gw = gateway(vertx, first, "anthropic", second, "openai")) {
      HttpResponse<String> r = openAiStream(gw);
      ClientStream stream = ClientStream.of(r.body());
      assertEquals(DELIVERED, stream.openAiText());
      JsonObject error = stream.last().getJsonObject("error");
      assertTrue(error.getString("message").startsWith("stream interrupted: "), error.encode());
      assertEquals(0, stream.count("[DONE]"), "never a clean end after a break");
    }
  }
}
