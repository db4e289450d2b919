package dev.llmproxy.recovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockBedrock;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import dev.llmproxy.support.ResponsesApi;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.support.ScriptedModel.Break;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mid-stream recovery through the real port: a stream that breaks after content reached the client (cut, stall,
 * error event, end without finish) is finished on the next route, and the client reads one coherent stream whose
 * text is the whole answer, every word exactly once. The upstreams are {@link ScriptedModel}s: they know the
 * answer, continue a prefill as a model does, and break on demand.
 */
@ExtendWith(VertxExtension.class)
class MidstreamRecoveryIT {

  /** 40 distinct words: a word lost or repeated at the cut shows. */
  static final String ANSWER = IntStream.rangeClosed(1, 40).mapToObj(i -> String.format("word%02d", i))
      .collect(Collectors.joining(" ")) + ".";
  /** After 12 pieces the client has "word01 ... word12 " (with the space that follows word12). */
  static final int CUT = 12;
  static final String DELIVERED = String.join("", ScriptedModel.pieces(ANSWER).subList(0, CUT));

  private static String config(MockUpstream first, MockUpstream second, String protocol, String secondRoute,
      String extra) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s", protocol: %s}, {name: second, url: "%s", protocol: %s}]
        models:
          m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2%s}]
        %s
        """.formatted(first.url(), protocol, second.url(), protocol, secondRoute, extra);
  }

  private static String openAi(GatewayHarness gw) {
    HttpResponse<String> r = gw.post("/v1/chat/completions", """
        {"model":"m","stream":true,"stream_options":{"include_usage":true},
         "messages":[{"role":"user","content":"count to forty"}]}""");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("first", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    return r.body();
  }

  private static String anthropic(GatewayHarness gw) {
    HttpResponse<String> r = gw.post("/v1/messages", """
        {"model":"m","stream":true,"max_tokens":200,"messages":[{"role":"user","content":"count to forty"}]}""");
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** The whole answer, each word exactly once, in one OpenAI stream with the first leg's identity throughout. */
  private static void assertOneCoherentOpenAiStream(String body, MockUpstream first) {
    ClientStream stream = ClientStream.of(body);
    assertEquals(ANSWER, stream.openAiText(), body);
    for (String word : ANSWER.replace(".", "").split(" ")) {
      assertEquals(1, body.split(word + "[ .\"]", -1).length - 1, word + " exactly once: " + body);
    }
    List<JsonObject> chunks = stream.data();
    long created = chunks.get(0).getLong("created");
    for (JsonObject chunk : chunks) {
      assertNull(chunk.getValue("error"), body);
      assertEquals("chatcmpl-" + first.id(), chunk.getString("id"), "same id throughout: " + chunk);
      assertEquals("m1", chunk.getString("model"), "same model throughout: " + chunk);
      assertEquals(created, chunk.getLong("created"), "same created throughout: " + chunk);
    }
    assertEquals(1, chunks.stream().filter(c -> delta(c).containsKey("role")).count(), "role sent once: " + body);
    assertEquals(1, chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty()
        && c.getJsonArray("choices").getJsonObject(0).getValue("finish_reason") != null).count(), "one finish");
    assertEquals(1, stream.count("[DONE]"), "one [DONE]");
    assertTrue(body.endsWith("data: [DONE]\n\n"), body);
  }

  private static JsonObject delta(JsonObject chunk) {
    JsonArray choices = chunk.getJsonArray("choices");
    return choices.isEmpty() ? new JsonObject() : choices.getJsonObject(0).getJsonObject("delta", new JsonObject());
  }

  /** What the continuing route received: the request plus the delivered text, trailing whitespace held back. */
  private static void assertPrefilled(MockUpstream next) {
    JsonArray messages = next.last().json().getJsonArray("messages");
    assertEquals(2, messages.size(), messages.encode());
    assertEquals(new JsonObject().put("role", "user").put("content", "count to forty"), messages.getJsonObject(0));
    assertEquals(new JsonObject().put("role", "assistant").put("content", DELIVERED.stripTrailing()),
        messages.getJsonObject(1));
    assertEquals(next.id().equals("first") ? "m1" : "m2", next.last().json().getString("model"),
        "the continuing route's own model");
  }

  private static double metric(GatewayHarness gw, String outcome) {
    return PromText.parse(gw.get("/metrics").body()).value("llmproxy_midstream_recoveries_total", "outcome", outcome);
  }

  private static void awaitMetric(GatewayHarness gw, String outcome) {
    await().atMost(Duration.ofSeconds(5)).until(() -> metric(gw, outcome) == 1.0);
  }

  @Test
  void aCutOpenAiStreamIsFinishedOnTheNextRouteAsOneStream(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = openAi(gw);
      assertOneCoherentOpenAiStream(body, first);
      assertPrefilled(second);
      JsonObject usage = ClientStream.of(body).data().stream().filter(c -> c.getValue("usage") != null)
          .findFirst().orElseThrow().getJsonObject("usage");
      int rest = ScriptedModel.pieces(ANSWER).size() - CUT;
      assertEquals(new JsonObject().put("prompt_tokens", 10).put("completion_tokens", rest + 1)
          .put("total_tokens", 11 + rest).put("llm_proxy_partial", true), usage,
          "the sum over the legs; partial, since the cut leg never reported its count");

      String line = access.awaitLine("midstream_recovery=recovered", Duration.ofSeconds(5));
      assertTrue(line.contains("midstream_chars=" + DELIVERED.length()), line);
      assertTrue(line.contains("midstream_routes=first/m1 > second/m2"), line);
      assertTrue(line.contains("midstream_break=connection reset"), line);
      assertTrue(line.contains("attempt_trail=first/m1: 200 connection reset"), line);
      assertTrue(line.contains("usage_partial=true"), line);
      awaitMetric(gw, "recovered");
    }
  }

  @Test
  void aResetIsRetriedOnTheSameRouteFirstAsTheRetryPolicySays(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first")
        .next(ScriptedModel.openAi(ANSWER).breaking(CUT, Break.RESET))
        .always(ScriptedModel.openAi(ANSWER));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "", ""))) {
      assertOneCoherentOpenAiStream(openAi(gw), first);
      assertEquals(2, first.count(), "retry_same_route: 1 (the default): a transient break retries the route");
      assertPrefilled(first);
      assertEquals(0, second.count());
    }
  }

  @Test
  void aStreamStalledPastTheIdleTimeoutIsFinishedOnTheNextRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.STALL));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "timeout: {idle: 300ms}"))) {
      assertOneCoherentOpenAiStream(openAi(gw), first);
      assertPrefilled(second);
      assertEquals(1, first.count(), "a timeout is never retried on the same route");
    }
  }

  @Test
  void anErrorEventMidStreamIsReplacedByTheRestOfTheAnswer(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.ERROR_EVENT));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"))) {
      String body = openAi(gw);
      assertOneCoherentOpenAiStream(body, first);
      assertFalse(body.contains("server_error"), "the provider's error event never reaches the client");
      assertPrefilled(second);
    }
  }

  @Test
  void aStreamThatEndsWithoutItsFinishIsFinishedOnTheNextRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.END_EARLY));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"))) {
      assertOneCoherentOpenAiStream(openAi(gw), first);
    }
  }

  @Test
  void aRouteThatBreaksToo_isFollowedByTheNextOne(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    // The second continues from word13 (its first piece is the space held back from the prefill) and is cut
    // again after 5 pieces, i.e. after word16; the third finishes from word17.
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER)
        .breaking(5, Break.RESET));
    MockUpstream third = MockUpstream.start(vertx, "third").always(ScriptedModel.openAi(ANSWER));
    String yaml = """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s"}, {name: second, url: "%s"}, {name: third, url: "%s"}]
        models: {m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2},
                     {backend: third, model: m3, priority: 3}]}
        fallback: {retry_same_route: 0}
        """.formatted(first.url(), second.url(), third.url());
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml)) {
      assertOneCoherentOpenAiStream(openAi(gw), first);
      String prefill = third.last().json().getJsonArray("messages").getJsonObject(1).getString("content");
      assertEquals(String.join("", ScriptedModel.pieces(ANSWER).subList(0, CUT + 4)).stripTrailing(), prefill,
          "the third route continues everything the client has, from both earlier legs");
    }
  }

  @Test
  void aFallbackThatRejectsThePrefillNeverShowsItsErrorTheOriginalBreakIsTheError(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER).refusingPrefill());
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = openAi(gw);
      ClientStream stream = ClientStream.of(body);
      assertEquals(DELIVERED, stream.openAiText(), "what was delivered stays, nothing more");
      JsonObject error = stream.last().getJsonObject("error");
      assertEquals("upstream_failed", error.getString("code"), body);
      assertEquals("api_error", error.getString("type"), "not the 400's invalid_request_error: " + body);
      assertTrue(error.getString("message").startsWith("stream interrupted: connection reset"), body);
      assertTrue(error.getString("message").contains("the answer was cut after " + DELIVERED.length()
          + " characters and no route could continue it"), body);
      assertFalse(body.contains("invalid_prefill"), body);
      assertFalse(body.contains("[DONE]"), body);
      assertEquals(1, second.count(), "the second route was asked to continue, and refused");

      String line = access.awaitLine("midstream_recovery=failed", Duration.ofSeconds(5));
      assertTrue(line.contains("second/m2: 400 continuation refused: This model does not support assistant"),
          "the refusal is in the attempt trail: " + line);
      // The refusal says nothing about the route's health: a request without prefill still goes there.
      first.always(MockUpstream.status(503, "{}"));
      second.always(MockUpstream.chat("healthy"));
      assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
      assertEquals(2, second.count());
      awaitMetric(gw, "failed");
    }
  }

  @Test
  void aRouteWithoutPrefillThatRestartsIdenticallyContinuesAfterTheDeliveredText(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ", prefill: false",
        "fallback: {retry_same_route: 0}"))) {
      assertOneCoherentOpenAiStream(openAi(gw), first);
      JsonArray messages = second.last().json().getJsonArray("messages");
      assertEquals(1, messages.size(), "the original request, no prefill: " + messages.encode());
    }
  }

  @Test
  void aRouteWithoutPrefillThatRestartsDifferentlyEndsTheStreamNamingTheCut(Vertx vertx) throws Exception {
    String other = ANSWER.replace("word07", "sevenish");
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(other));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ", prefill: false",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = openAi(gw);
      ClientStream stream = ClientStream.of(body);
      assertEquals(DELIVERED, stream.openAiText(), "nothing of the differing restart reaches the client");
      String message = stream.last().getJsonObject("error").getString("message");
      assertTrue(message.contains("the answer was cut after " + DELIVERED.length() + " characters"), message);
      assertTrue(message.contains("the restart on second/m2 cannot be joined to it: it differs from the delivered"
          + " text at character " + DELIVERED.indexOf("word07")), message);
      assertTrue(message.contains("Attempts: first/m1: 200 connection reset"), message);
      assertTrue(message.contains("second/m2: 200 accepted"), message);
      assertFalse(body.contains("[DONE]"), body);
      access.awaitLine("midstream_recovery=mismatch", Duration.ofSeconds(5));
      awaitMetric(gw, "mismatch");
    }
  }

  @Test
  void aToolCallInFlightIsNotContinuedTheStreamEndsWithACleanError(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(5, Break.TOOL_CALL));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = openAi(gw);
      JsonObject error = ClientStream.of(body).last().getJsonObject("error");
      assertEquals("upstream_failed", error.getString("code"), body);
      assertTrue(error.getString("message").contains("a tool call was being streamed, and a tool call is not"
          + " continued"), body);
      assertFalse(body.contains("[DONE]"), body);
      assertEquals(0, second.count());
      access.awaitLine("midstream_recovery=unsupported", Duration.ofSeconds(5));
    }
  }

  @Test
  void theBudgetBoundsRecoveryMaxRetriesAndTotalTimeout(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0, max_retries: 1}"))) {
      String message = ClientStream.of(openAi(gw)).last().getJsonObject("error").getString("message");
      assertTrue(message.contains("no route could continue it"), message);
      assertEquals(0, second.count(), "max_retries: 1 spent by the first attempt");
    }
    first.always(ScriptedModel.openAi(ANSWER).breaking(CUT, Break.STALL));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {total_timeout: 400ms}\ntimeout: {idle: 600ms}"))) {
      String message = ClientStream.of(openAi(gw)).last().getJsonObject("error").getString("message");
      assertTrue(message.startsWith("stream interrupted: stream idle too long"), message);
      assertTrue(message.contains("no route could continue it"), message);
      assertEquals(0, second.count(), "the stall outlasted fallback.total_timeout");
    }
  }

  @Test
  void withMidstreamRecoveryOffAStreamCutEndsAsBeforeWithAnErrorEvent(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    String perAlias = """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s"}, {name: second, url: "%s"}]
        models:
          m:
            routes: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]
            midstream_recovery: false
        fallback: {retry_same_route: 0}
        """.formatted(first.url(), second.url());
    String global = config(first, second, "openai", "", "fallback: {retry_same_route: 0, midstream_recovery: false}");
    for (String yaml : List.of(perAlias, global)) {
      try (GatewayHarness gw = GatewayHarness.start(vertx, yaml);
          LogCapture access = LogCapture.of("llmproxy.access")) {
        String body = openAi(gw);
        ClientStream stream = ClientStream.of(body);
        assertEquals(DELIVERED, stream.openAiText());
        String message = stream.last().getJsonObject("error").getString("message");
        assertTrue(message.matches("stream interrupted: connection reset[^;]*"), "today's error: " + message);
        assertEquals(0, second.count());
        access.awaitLine("midstream_recovery=disabled", Duration.ofSeconds(5));
        awaitMetric(gw, "disabled");
      }
    }
  }

  @Test
  void aClientThatLeavesWhileTheNextRouteIsSoughtReleasesEverything(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.hang());
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}\nconcurrency: {max_requests: 10, per_backend_limit: 1}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<InputStream> r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", true))).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      second.awaitRequest(Duration.ofSeconds(10));  // the continuation is on its way; the client still waits
      r.body().close();
      assertEquals("/v1/chat/completions", second.awaitConnectionClosed(Duration.ofSeconds(10)),
          "the continuation's upstream call is dropped with the client");
      var traffic = gw.gateway().services().traffic();
      await().atMost(Duration.ofSeconds(5)).until(() -> traffic.inFlight() == 0
          && traffic.backendSlots().inFlightByBackend().values().stream().allMatch(n -> n == 0));
      access.awaitLine("midstream_recovery=client_gone", Duration.ofSeconds(5));
    }
  }

  @Test
  void aCutAnthropicStreamIsOneCoherentEventSequence(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic", "",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      String body = anthropic(gw);
      ClientStream stream = ClientStream.of(body);
      assertEquals(ANSWER, stream.anthropicText(), body);
      assertPrefilled(second);  // the model rejects a prefill that ends in whitespace, as Anthropic does

      List<String> types = stream.data().stream().map(d -> d.getString("type")).filter(t -> !t.equals("ping"))
          .distinct().toList();
      assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_stop",
          "message_delta", "message_stop"), types, "in protocol order: " + body);
      List<JsonObject> starts = stream.ofType("message_start");
      assertEquals(1, starts.size(), body);
      assertEquals("msg_first", starts.get(0).getJsonObject("message").getString("id"));
      assertEquals("m1", starts.get(0).getJsonObject("message").getString("model"));
      assertEquals(1, stream.ofType("content_block_start").size(), "the cut block goes on: " + body);
      assertTrue(stream.ofType("content_block_delta").stream().allMatch(d -> d.getInteger("index") == 0), body);
      assertEquals(List.of(0), stream.ofType("content_block_stop").stream().map(d -> d.getInteger("index")).toList());
      List<JsonObject> deltas = stream.ofType("message_delta");
      assertEquals(1, deltas.size(), body);
      int rest = ScriptedModel.pieces(ANSWER).size() - CUT;
      assertEquals(new JsonObject().put("output_tokens", 2 + rest).put("input_tokens", 20)
          .put("llm_proxy_partial", true), deltas.get(0).getJsonObject("usage"),
          "input of both legs, output reported by both; partial: the cut leg's final count is unknown");
      assertEquals("end_turn", deltas.get(0).getJsonObject("delta").getString("stop_reason"));
      assertEquals(1, stream.ofType("message_stop").size());
      assertTrue(body.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), body);

      // The gateway's own accounting sums the legs as the upstreams reported them.
      String line = access.awaitLine("midstream_recovery=recovered", Duration.ofSeconds(5));
      assertTrue(line.contains("prompt_tokens=20, completion_tokens=" + (2 + rest)), line);
      assertTrue(line.contains("usage_partial=true"), line);
    }
  }

  @Test
  void anAnthropicErrorEventMidStreamIsReplacedByTheRestOfTheAnswer(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(CUT, Break.ERROR_EVENT));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic", "",
        "fallback: {retry_same_route: 0}"))) {
      String body = anthropic(gw);
      assertEquals(ANSWER, ClientStream.of(body).anthropicText(), body);
      assertFalse(body.contains("overloaded_error"), body);
    }
  }

  @Test
  void anAnthropicToolUseInFlightEndsWithACleanErrorEvent(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(ANSWER)
        .breaking(5, Break.TOOL_CALL));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic", "",
        "fallback: {retry_same_route: 0}"))) {
      String body = anthropic(gw);
      JsonObject error = ClientStream.of(body).last();
      assertEquals("error", error.getString("type"), body);
      assertTrue(error.getJsonObject("error").getString("message").contains("a tool call was being streamed"), body);
      assertFalse(body.contains("message_stop"), body);
      assertEquals(0, second.count());
    }
  }

  /**
   * A continuation to a Bedrock route is prepared as that route's body always is (model in the path, Bedrock's
   * anthropic_version, no stream flag): what changes is the body it starts from, the client's request plus the
   * delivered text as the final assistant turn. The local Bedrock verifies the signature of the continuation.
   */
  @Test
  void aStreamIsContinuedOnABedrockRouteWithTheContinuationInBedrocksFormat(Vertx vertx) throws Exception {
    String answer = "Hello brave new world.";
    String keyId = "AKIAMOCKBEDROCK12345";
    String secret = "mockSecretKey/For+Tests/0123456789abcdefgh";
    String bedrockModel = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.anthropic(answer)
        .breaking(2, Break.RESET));  // the client has "Hello brave "
    try (MockBedrock bedrock = MockBedrock.start(vertx, "us-west-2", keyId, secret)) {
      // What a model continuing the prefill "Hello brave" streams: the rest, from the held-back space on.
      bedrock.stream(MockBedrock.chunks(List.of(
          "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_2\",\"type\":\"message\","
              + "\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20240620\",\"content\":[],"
              + "\"stop_reason\":null,\"usage\":{\"input_tokens\":14,\"output_tokens\":1}}}",
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" new\"}}",
          "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" world.\"}}",
          "{\"type\":\"content_block_stop\",\"index\":0}",
          "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}",
          "{\"type\":\"message_stop\"}")), 64);
      try (GatewayHarness gw = GatewayHarness.start(vertx, """
          listen: "127.0.0.1:0"
          backends:
            - {name: first, url: "%s", protocol: anthropic}
            - {name: aws, type: bedrock, region: us-west-2, url: "%s", access_key_id: %s, secret_access_key: "%s"}
          models:
            m: [{backend: first, model: c1, priority: 1}, {backend: aws, model: "%s", priority: 2}]
          fallback: {retry_same_route: 0}
          """.formatted(first.url(), bedrock.url(), keyId, secret, bedrockModel));
          LogCapture access = LogCapture.of("llmproxy.access")) {
        String body = anthropic(gw);

        ClientStream stream = ClientStream.of(body);
        assertEquals(answer, stream.anthropicText(), body);
        assertEquals(1, stream.ofType("message_start").size(), body);
        assertTrue(body.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), body);
        assertEquals(List.of(), bedrock.signatureFailures());
        MockUpstream.Received sent = bedrock.upstream().last();
        assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream", sent.path());
        JsonObject json = sent.json();
        assertFalse(json.containsKey("model") || json.containsKey("stream"), json.encode());
        assertEquals("bedrock-2023-05-31", json.getString("anthropic_version"));
        assertEquals(new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "count to forty"))
            .add(new JsonObject().put("role", "assistant").put("content", "Hello brave")),
            json.getJsonArray("messages"), "the continuation, in Bedrock's format");
        String line = access.awaitLine("midstream_recovery=recovered", Duration.ofSeconds(5));
        assertTrue(line.contains("midstream_routes=first/c1 > aws/" + bedrockModel), line);
      }
    }
  }

  /**
   * Recovery covers chat completions and messages only: a Responses stream cut after its output began is not
   * continued on the alias' next route; it ends with the Responses API's own error event, numbered after the last
   * event the client got.
   */
  @Test
  void aResponsesStreamIsNotContinuedAndEndsWithItsOwnErrorEvent(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ResponsesApi.textCutAfter(6));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ResponsesApi.answers("from second"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "",
        "fallback: {retry_same_route: 0}"));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> r = gw.post("/v1/responses", ResponsesApi.request("m", true, "hi"));
      assertEquals(200, r.statusCode(), r.body());
      String delivered = String.join("", ResponsesApi.events("text.sse").subList(0, 6));
      assertTrue(r.body().startsWith(delivered), r.body());
      String tail = r.body().substring(delivered.length());
      assertTrue(tail.startsWith("event: error\ndata: "), tail);
      JsonObject error = new JsonObject(tail.substring("event: error\ndata: ".length()).strip());
      assertEquals(6, error.getInteger("sequence_number"), error.encode());
      assertTrue(error.getString("message").startsWith("stream interrupted: "), error.encode());
      assertEquals("upstream_failed", error.getString("code"), error.encode());
      assertFalse(r.body().contains("response.completed"), r.body());
      assertEquals(0, second.count(), "not continued on the next route");
      String line = access.awaitLine("midstream_recovery=unsupported", Duration.ofSeconds(5));
      assertTrue(line.contains("midstream_routes=first/m1"), line);
    }
  }
}
