package dev.llmproxy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ResponsesApi;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.support.ScriptedModel.Break;
import dev.llmproxy.translation.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code demote_nonstreaming} through the port: a client that wants one JSON answer, a route asked for a stream,
 * and the client gets the exact non-stream body — translated when the route speaks the other protocol. The stream
 * is judged whole before anything is sent, so one that fails at any point falls back invisibly.
 */
@ExtendWith(VertxExtension.class)
class DemotionIT {

  static final String ANSWER = "Demoted answers are reassembled from their events.";

  private static List<String> fixture(String name) {
    return Fixtures.events("stream/" + name).stream().map(e -> e.raw().toString()).toList();
  }

  private static String anthropic(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  @Test
  void aNonStreamClientOnADemotedRouteGetsTheStreamReassembledIntoOneAnswer(Vertx vertx) {
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s", protocol: openai, demote_nonstreaming: true}]
        models: {m: [{backend: oa, model: gpt}]}
        """.formatted(oa.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
      JsonObject answer = new JsonObject(r.body());
      assertEquals("chat.completion", answer.getString("object"));
      assertEquals("chatcmpl-oa", answer.getString("id"));
      JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
      assertEquals(new JsonObject().put("role", "assistant").put("content", ANSWER), choice.getJsonObject("message"));
      assertEquals("stop", choice.getString("finish_reason"));
      int pieces = ScriptedModel.pieces(ANSWER).size();
      assertEquals(new JsonObject().put("prompt_tokens", 10).put("completion_tokens", pieces)
          .put("total_tokens", 10 + pieces), answer.getJsonObject("usage"));
      JsonObject sent = oa.last().json();
      assertEquals(true, sent.getBoolean("stream"), "the route was asked for a stream");
      assertEquals(true, sent.getJsonObject("stream_options").getBoolean("include_usage"));
    }
  }

  @Test
  void theReassembledAnswerIsExactUnknownFieldsAndTheirNumbersIncluded(Vertx vertx) {
    String start = """
        {"type":"message_start","message":{"id":"msg_d","type":"message","role":"assistant","model":"claude-d",\
        "content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1},\
        "x_billing":{"units":123456789012345678901234567890,"rate":0.1000000000000000055}}}""";
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.sse(List.of(
        anthropic("message_start", start),
        anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
        anthropic("ping", "{\"type\":\"ping\"}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}"),
        anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}"),
        anthropic("message_stop", "{\"type\":\"message_stop\"}")), Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic}]
        models: {m: [{backend: an, model: claude, demote_nonstreaming: true}]}
        """.formatted(an.url()))) {
      HttpResponse<String> r = gw.post("/v1/messages", """
          {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("123456789012345678901234567890") && r.body().contains("0.1000000000000000055"),
          "every digit kept: " + r.body());
      JsonObject expected = (JsonObject) ExactJson.decode("""
          {"id":"msg_d","type":"message","role":"assistant","model":"claude-d",\
          "content":[{"type":"text","text":"Hello world"}],"stop_reason":"end_turn","stop_sequence":null,\
          "usage":{"input_tokens":10,"output_tokens":7},\
          "x_billing":{"units":123456789012345678901234567890,"rate":0.1000000000000000055}}""");
      assertEquals(expected, ExactJson.decode(Buffer.buffer(r.body())));
      assertEquals(true, an.last().json().getBoolean("stream"));
    }
  }

  @Test
  void aDemotedTranslatedAnswerCarriesItsToolCallsWithTheirArgumentsJoined(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.sse(fixture("anthropic-tools.sse"),
        Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic, demote_nonstreaming: true}]
        models: {m: [{backend: an, model: claude}]}
        """.formatted(an.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", """
          {"model":"m","messages":[{"role":"user","content":"weather and time in SF?"}],
           "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},
                    {"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]}""");
      assertEquals(200, r.statusCode(), r.body());
      JsonObject choice = new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0);
      assertEquals("tool_calls", choice.getString("finish_reason"));
      JsonObject message = choice.getJsonObject("message");
      assertEquals("Okay, let's check the weather", message.getString("content"));
      JsonArray calls = message.getJsonArray("tool_calls");
      assertEquals(2, calls.size(), r.body());
      assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", calls.getJsonObject(0).getString("id"));
      assertEquals(new JsonObject("{\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}"),
          new JsonObject(calls.getJsonObject(0).getJsonObject("function").getString("arguments")));
      assertEquals(new JsonObject("{\"timezone\":\"America/Los_Angeles\"}"),
          new JsonObject(calls.getJsonObject(1).getJsonObject("function").getString("arguments")));
      JsonObject sent = an.last().json();
      assertEquals(true, sent.getBoolean("stream"));
      assertEquals("/v1/messages", an.last().path());
    }
  }

  @Test
  void aDemotedStreamThatFailsAtAnyPointFallsBackInvisibly(Vertx vertx) {
    MockUpstream cut = MockUpstream.start(vertx, "cut").always(ScriptedModel.openAi(ANSWER).breaking(3, Break.RESET));
    MockUpstream overloaded = MockUpstream.start(vertx, "overloaded")
        .always(ScriptedModel.anthropic(ANSWER).breaking(3, Break.ERROR_EVENT));
    MockUpstream good = MockUpstream.start(vertx, "good").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        fallback: {retry_same_route: 0}
        backends:
          - {name: cut, url: "%s", protocol: openai, demote_nonstreaming: true}
          - {name: overloaded, url: "%s", protocol: anthropic, demote_nonstreaming: true}
          - {name: good, url: "%s", protocol: anthropic, demote_nonstreaming: true}
        models:
          m: [{backend: cut, model: a, priority: 1}, {backend: overloaded, model: b, priority: 2},
              {backend: good, model: c, priority: 3}]
        """.formatted(cut.url(), overloaded.url(), good.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("good", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("3", r.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());
      JsonObject message = new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message");
      assertEquals(ANSWER, message.getString("content"), "only the answer that completed");
      assertEquals(1, cut.count());
      assertEquals(1, overloaded.count());
    }
  }

  @Test
  void anInBandErrorEndsTheDemotedAttemptAtOnceEvenIfTheUpstreamKeepsTheStreamOpen(Vertx vertx) {
    MockUpstream overloaded = MockUpstream.start(vertx, "overloaded").always(MockUpstream.sse(List.of(
        anthropic("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_o\",\"type\":"
            + "\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":1}}}"),
        anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
        anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Part\"}}"),
        anthropic("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
            + "\"message\":\"Overloaded\"}}")), Duration.ZERO, false));
    MockUpstream good = MockUpstream.start(vertx, "good").always(MockUpstream.chat(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        timeout: {idle: 60s}
        fallback: {retry_same_route: 0}
        backends:
          - {name: overloaded, url: "%s", protocol: anthropic, demote_nonstreaming: true}
          - {name: good, url: "%s", protocol: openai}
        models: {m: [{backend: overloaded, model: a, priority: 1}, {backend: good, model: b, priority: 2}]}
        """.formatted(overloaded.url(), good.url()))) {
      HttpResponse<String> r = gw.post("/v1/messages", """
          {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("good", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals(ANSWER, new JsonObject(r.body()).getJsonArray("content").getJsonObject(0).getString("text"));
    }
  }

  @Test
  void aDemotedResponsesRequestGetsTheResponseObject(Vertx vertx) {
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(ResponsesApi.stream("text.sse", Duration.ZERO));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s", protocol: openai}]
        models: {m: [{backend: oa, model: gpt, demote_nonstreaming: true}]}
        """.formatted(oa.url()))) {
      HttpResponse<String> r = gw.post("/v1/responses", ResponsesApi.request("m", false, "hi"));
      assertEquals(200, r.statusCode(), r.body());
      JsonObject response = new JsonObject(r.body());
      assertEquals("response", response.getString("object"));
      assertEquals("completed", response.getString("status"));
      assertTrue(r.body().contains(ResponsesApi.TEXT), r.body());
      JsonObject sent = oa.last().json();
      assertEquals(true, sent.getBoolean("stream"));
      assertNull(sent.getValue("stream_options"));
      assertFalse(r.body().contains("event:"), r.body());
    }
  }
}
