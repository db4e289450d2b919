package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streams that fail: before their first content (the proxy falls back, the client never notices) and after it
 * with {@code midstream_recovery: false} (the stream ends with a protocol-correct error event, never a clean end).
 * Breaks after content with recovery on (the default) are in {@code recovery/MidstreamRecoveryIT}.
 */
@ExtendWith(VertxExtension.class)
class StreamFailureIT {

  private static String config(MockUpstream first, MockUpstream second, String protocol, String extra) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s", protocol: %s}, {name: second, url: "%s", protocol: %s}]
        models: {m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]}
        fallback: {retry_same_route: 0, midstream_recovery: false}
        %s
        """.formatted(first.url(), protocol, second.url(), protocol, extra);
  }

  private static HttpResponse<String> stream(GatewayHarness gw, String path) {
    return gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", true))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> content(String model, String... words) {
    List<String> events = new ArrayList<>();
    events.add(MockUpstream.openAiChunk(model, new JsonObject().put("role", "assistant").put("content", ""), null));
    for (String w : words) {
      events.add(MockUpstream.openAiChunk(model, new JsonObject().put("content", w), null));
    }
    return events;
  }

  @Test
  void errorInTheFirstEventFallsBackBeforeTheClientSeesAnything(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(List.of(
        MockUpstream.openAiChunk("m1", new JsonObject().put("role", "assistant"), null),
        "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}\n\n"), Duration.ZERO, true));
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.sse(
        MockUpstream.openAiStream("m2", "from", " second"), Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ""))) {
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      assertEquals(200, r.statusCode());
      assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertFalse(r.body().contains("overloaded"), r.body());
      assertFalse(r.body().contains("\"m1\""), "nothing of the failed stream reaches the client");
      assertEquals(String.join("", MockUpstream.openAiStream("m2", "from", " second")), r.body());
    }
  }

  @Test
  void anthropicOverloadedErrorEventFallsBack(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(List.of(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"x\"}}\n\n",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"),
        Duration.ZERO, true));
    List<String> good = List.of(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"y\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"ok\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.sse(good, Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic", ""))) {
      HttpResponse<String> r = stream(gw, "/v1/messages");
      assertEquals(String.join("", good), r.body());
    }
  }

  @Test
  void noFirstTokenInTimeFallsBackWithoutRetryingTheSameRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(
        List.of(MockUpstream.openAiChunk("m1", new JsonObject().put("role", "assistant"), null)), Duration.ZERO, false));
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.sse(
        MockUpstream.openAiStream("m2", "fast"), Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai",
        "timeout: {first_token: 300ms}"))) {
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals(1, first.count());
      assertTrue(r.body().endsWith("data: [DONE]\n\n"));
    }
  }

  @Test
  void streamCutAfterContentEndsWithAnErrorEventAndNoDone(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sseThenReset(
        content("m1", "partial"), Duration.ZERO));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ""))) {
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("partial"));
      assertFalse(r.body().contains("[DONE]"), r.body());
      String last = r.body().trim().substring(r.body().trim().lastIndexOf("data: ") + 6);
      assertEquals("upstream_failed", new JsonObject(last).getJsonObject("error").getString("code"), r.body());
      assertEquals(0, second.count(), "after content reached the client there is no fallback");
    }
  }

  @Test
  void anthropicStreamCutEndsWithAnErrorEvent(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sseThenReset(List.of(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"x\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"par\"}}\n\n"),
        Duration.ZERO));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic", ""))) {
      HttpResponse<String> r = stream(gw, "/v1/messages");
      assertTrue(r.body().contains("\"par\""));
      assertFalse(r.body().contains("message_stop"));
      assertTrue(r.body().contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\""), r.body());
    }
  }

  @Test
  void streamStalledMidwayEndsWithAnErrorEventWithinTheIdleTimeout(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(content("m1", "then silence"), Duration.ZERO, false));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", "timeout: {idle: 300ms}"))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000);
      assertTrue(r.body().contains("then silence"));
      assertTrue(r.body().contains("stream idle too long"), r.body());
      assertFalse(r.body().contains("[DONE]"));
    }
  }

  @Test
  void finishedStreamMissingDoneIsFinalisedButUnfinishedOneIsAnError(Vertx vertx) {
    List<String> finished = new ArrayList<>(content("m1", "complete"));
    finished.add(MockUpstream.openAiChunk("m1", new JsonObject(), "stop"));
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(finished, Duration.ZERO, true));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ""))) {
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      assertEquals(String.join("", finished) + "data: [DONE]\n\n", r.body());

      first.always(MockUpstream.sse(content("m1", "cut short"), Duration.ZERO, true));
      HttpResponse<String> unfinished = stream(gw, "/v1/chat/completions");
      assertTrue(unfinished.body().contains("cut short"));
      assertFalse(unfinished.body().contains("[DONE]"));
      assertTrue(unfinished.body().contains("ended the stream before the answer was complete"), unfinished.body());
    }
  }

  @Test
  void malformedEventsAreDroppedNotForwarded(Vertx vertx) throws Exception {
    List<String> events = new ArrayList<>(content("m1", "one"));
    events.add("data: {\"choices\":[{\"delta\":{\"content\": BROKEN\n\n");
    events.add(MockUpstream.openAiChunk("m1", new JsonObject().put("content", "two"), "stop"));
    events.add("data: [DONE]\n\n");
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.sse(events, Duration.ZERO, true));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai", ""));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> r = stream(gw, "/v1/chat/completions");
      access.awaitLine("dropped_events=1", Duration.ofSeconds(5));
      assertFalse(r.body().contains("BROKEN"));
      assertTrue(r.body().contains("\"one\"") && r.body().contains("\"two\""));
      assertTrue(r.body().endsWith("data: [DONE]\n\n"));
    }
  }
}
