package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code POST /v1/responses} routed by alias, through the real port, against upstreams that speak the Responses API
 * (event sequences of src/test/resources/responses/): the route's real model written in, the same detection and
 * fallback before the first byte as chat, honest stream endings in the Responses shape, usage in the access line
 * and the metrics.
 */
@ExtendWith(VertxExtension.class)
class ResponsesRoutingIT {

  private MockUpstream first;
  private MockUpstream second;
  private MockUpstream anthropic;
  private GatewayHarness gw;

  @BeforeEach
  void start(Vertx vertx) {
    first = MockUpstream.start(vertx, "first");
    second = MockUpstream.start(vertx, "second").always(ResponsesApi.answers("from second"));
    anthropic = MockUpstream.start(vertx, "anthropic");
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: first, url: "%s", protocol: openai}
          - {name: second, url: "%s", protocol: openai}
          - {name: claude, url: "%s", protocol: anthropic}
        models:
          m:
            - {backend: claude, model: c1, priority: 0}
            - {backend: first, model: m1, priority: 1}
            - {backend: second, model: m2, priority: 2}
          mb:
            - {backend: first, model: m1b, priority: 1}
            - {backend: second, model: m2, priority: 2}
          solo: [{backend: first, model: s1}]
        fallback: {retry_same_route: 0}
        """.formatted(first.url(), second.url(), anthropic.url()));
  }

  @AfterEach
  void stop() {
    gw.close();
    first.close();
    second.close();
    anthropic.close();
  }

  private HttpResponse<String> post(String body) {
    return gw.post("/v1/responses", body, "x-trace-id", "trace-" + Integer.toHexString(body.hashCode()));
  }

  @Test
  void aFailingFirstRouteFallsBackAndTheSecondRoutesRealModelIsWrittenIn() {
    first.always(MockUpstream.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
    HttpResponse<String> r = post(ResponsesApi.request("m", false, "hi"));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    assertEquals("m2", r.headers().firstValue("X-LLM-Proxy-Model").orElseThrow());
    JsonObject answer = new JsonObject(r.body());
    assertEquals("response", answer.getString("object"));
    assertEquals("m2", answer.getString("model"));
    assertEquals(1, first.count());
    assertEquals("/v1/responses", first.last().path());
    assertEquals("m1", first.last().json().getString("model"));
    assertEquals("/v1/responses", second.last().path());
    assertEquals("m2", second.last().json().getString("model"));
    assertEquals("hi", second.last().json().getString("input"));
    assertEquals(0, anthropic.count(), "only protocol: openai routes serve the Responses API");
  }

  @Test
  void aResponseFailedFirstEventFallsBackBeforeTheClientSeesAByte() {
    first.always(ResponsesApi.stream("failed-first.sse", Duration.ofMillis(1)));
    HttpResponse<String> r = post(ResponsesApi.request("m", true, "hi"));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    assertEquals(String.join("", ResponsesApi.events("text.sse")), r.body(), "the second stream, byte for byte");
    assertFalse(r.body().contains("server_error"), r.body());
    assertEquals(1, first.count());
    assertEquals(1, second.count());
  }

  @Test
  void aCodingAgentsLargeInstructionsAndToolsDoNotHideAFailureThatFollowsThem() {
    // response.created and response.in_progress each repeat the request's instructions and tools.
    String instructions = "You are a coding agent. ".repeat(4_000);  // ~94 KB, repeated twice before any output
    List<String> failed = ResponsesApi.events("failed-first.sse").stream()
        .map(e -> e.replace("Never mention a rate limit.", instructions)).toList();
    first.always(MockUpstream.sse(failed, Duration.ZERO, true));
    HttpResponse<String> r = post(ResponsesApi.request("m", true, "hi"));
    assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    assertEquals(String.join("", ResponsesApi.events("text.sse")), r.body());
  }

  @Test
  void anErrorEventFirstOrAStreamWithoutOutputFallsBackToo() {
    first.next(MockUpstream.sse(List.of(ResponsesApi.events("text.sse").get(0),
        "event: error\ndata: {\"type\":\"error\",\"sequence_number\":1,\"error\":{\"code\":\"server_error\","
            + "\"message\":\"The server is overloaded\",\"param\":null}}\n\n"), Duration.ZERO, true));
    HttpResponse<String> afterError = post(ResponsesApi.request("m", true, "one"));
    assertEquals(String.join("", ResponsesApi.events("text.sse")), afterError.body());

    first.next(MockUpstream.sse(ResponsesApi.events("text.sse").subList(0, 4), Duration.ZERO, true));
    HttpResponse<String> noOutput = post(ResponsesApi.request("mb", true, "two"));  // another route: m1 cools
    assertEquals(String.join("", ResponsesApi.events("text.sse")), noOutput.body());
    assertEquals(List.of("m1", "m1b"), first.received().stream().map(r -> r.json().getString("model")).toList());
    assertEquals(2, second.count());
  }

  @Test
  void aStreamCutAfterOutputEndsWithAResponsesErrorEventNeverACleanEnd() throws Exception {
    first.always(ResponsesApi.textCutAfter(6));  // created … " there": sequence numbers 0 to 5, then a reset
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = ResponsesApi.request("solo", true, "hi");
      HttpResponse<String> r = post(body);
      assertEquals(200, r.statusCode());
      List<String> sent = ResponsesApi.events("text.sse").subList(0, 6);
      assertTrue(r.body().startsWith(String.join("", sent)), r.body());
      String tail = r.body().substring(String.join("", sent).length());
      assertTrue(tail.startsWith("event: error\ndata: "), tail);
      assertTrue(tail.endsWith("\n\n"), tail);
      JsonObject error = new JsonObject(tail.substring("event: error\ndata: ".length()).strip());
      assertEquals("error", error.getString("type"));
      assertEquals("upstream_failed", error.getString("code"));
      assertEquals(6, error.getInteger("sequence_number"), "numbered after the last event the client got");
      assertTrue(error.getString("message").startsWith("stream interrupted"), error.encode());
      assertEquals("upstream_failed", error.getJsonObject("error").getString("code"));
      assertFalse(r.body().contains("response.completed"));
      String line = access.awaitLine("trace-" + Integer.toHexString(body.hashCode()), Duration.ofSeconds(5));
      assertTrue(line.contains("status=200") && !line.contains("error=null"), line);
    }
  }

  @Test
  void aStreamThatEndsWithoutItsCompletionIsBrokenToo() {
    first.always(MockUpstream.sse(ResponsesApi.events("text.sse").subList(0, 9), Duration.ZERO, true));
    HttpResponse<String> r = post(ResponsesApi.request("solo", true, "hi"));
    assertTrue(r.body().contains("\"delta\":\"Hi\""), r.body());
    assertTrue(r.body().endsWith("\n\n") && r.body().contains("event: error\ndata: {\"type\":\"error\""), r.body());
    assertTrue(r.body().contains("\"sequence_number\":9,"), r.body());
  }

  @Test
  void aCompletedStreamEndsCleanlyWithNothingAdded() {
    first.always(ResponsesApi.stream("function-call.sse", Duration.ZERO));
    HttpResponse<String> r = post(ResponsesApi.request("solo", true, "weather?"));
    assertEquals(String.join("", ResponsesApi.events("function-call.sse")), r.body(), "no [DONE], no error event");
  }

  @Test
  void aConnectionLostAfterTheCompletionLeavesTheAnswerComplete() throws Exception {
    // A Responses stream has no [DONE]: its reader reads to the end, so an error event after the completion would
    // turn a whole answer into a failure.
    first.always(MockUpstream.sseThenReset(ResponsesApi.events("text.sse"), Duration.ZERO));
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = ResponsesApi.request("solo", true, "reset after completion");
      HttpResponse<String> r = post(body);
      assertEquals(String.join("", ResponsesApi.events("text.sse")), r.body());
      String line = access.awaitLine("trace-" + Integer.toHexString(body.hashCode()), Duration.ofSeconds(5));
      assertTrue(line.contains("error=null"), line);
    }
  }

  @Test
  void tokenUsageOfStreamsAndBodiesReachesTheAccessLineAndMetrics() throws Exception {
    first.always(ResponsesApi.answers("plain"));
    PromText before = PromText.parse(gw.get("/metrics").body());
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      String streamed = ResponsesApi.request("solo", true, "stream me");
      assertEquals(200, post(streamed).statusCode());
      String line = access.awaitLine("trace-" + Integer.toHexString(streamed.hashCode()), Duration.ofSeconds(5));
      assertTrue(line.contains("prompt_tokens=36") && line.contains("completion_tokens=9"), line);

      String plain = ResponsesApi.request("solo", false, "plain");
      assertEquals(200, post(plain).statusCode());
      line = access.awaitLine("trace-" + Integer.toHexString(plain.hashCode()), Duration.ofSeconds(5));
      assertTrue(line.contains("prompt_tokens=12") && line.contains("completion_tokens=4"), line);
    }
    PromText after = PromText.parse(gw.get("/metrics").body());
    assertEquals(48, after.value("llmproxy_tokens_total", "alias", "solo", "type", "prompt")
        - before.value("llmproxy_tokens_total", "alias", "solo", "type", "prompt"), 0.001);
    assertEquals(13, after.value("llmproxy_tokens_total", "alias", "solo", "type", "completion")
        - before.value("llmproxy_tokens_total", "alias", "solo", "type", "completion"), 0.001);
  }

  @Test
  void errorsAreInTheOpenAiShape() {
    HttpResponse<String> unknown = post(ResponsesApi.request("nope", false, "hi"));
    assertEquals(404, unknown.statusCode());
    assertEquals("model_not_found", new JsonObject(unknown.body()).getJsonObject("error").getString("code"));

    HttpResponse<String> noModel = post("{\"input\":\"hi\"}");
    assertEquals(400, noModel.statusCode());
    assertEquals("model", new JsonObject(noModel.body()).getJsonObject("error").getString("param"));

    assertEquals(400, post("{\"model\":").statusCode());

    first.always(MockUpstream.status(503, "{\"error\":{\"message\":\"down\"}}"));
    second.always(MockUpstream.status(502, "{\"error\":{\"message\":\"down too\"}}"));
    HttpResponse<String> allFailed = post(ResponsesApi.request("m", true, "hi"));
    assertEquals(502, allFailed.statusCode());
    JsonObject error = new JsonObject(allFailed.body()).getJsonObject("error");
    assertEquals("upstream_failed", error.getString("code"));
    assertTrue(error.getString("message").contains("first/m1") && error.getString("message").contains("second/m2"),
        error.getString("message"));
    assertNull(allFailed.headers().firstValue("X-LLM-Proxy-Backend").orElse(null));
    assertEquals(0, anthropic.count());
  }

  @Test
  void aNonStreamAnswerIsRelayedByteForByte() {
    String exact = "{\"id\":\"resp_1\",  \"object\":\"response\",\"status\":\"completed\",\"output\":[],"
        + "\"usage\":{\"input_tokens\":1,\"output_tokens\":0},\"temperature\":0.7000000000000000666}";
    first.always((req, body, up) -> req.response().putHeader("content-type", "application/json").end(exact));
    HttpResponse<String> r = post(ResponsesApi.request("solo", false, "hi"));
    assertEquals(exact, r.body());
    assertEquals(Buffer.buffer(exact).length(), r.body().length());
  }
}
