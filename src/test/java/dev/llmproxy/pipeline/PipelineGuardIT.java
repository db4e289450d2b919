package dev.llmproxy.pipeline;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.GatewayHooks;
import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.relay.StreamBreak;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.ScriptedModel;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bug in the proxy never hangs a request: whatever throws (a stage, a callback a stage set up, code running
 * while a stream is relayed, the relay itself) is answered at once with a 500 in the client's protocol, or ends
 * the stream with an error event, logged with the request's trace id, and the request's cleanup still runs (its
 * route is given back: one request at a time per backend here, so a route kept would stall the next request).
 * Passed-through requests (the transparent mode, both ways in) come under the same guard.
 */
@ExtendWith(VertxExtension.class)
class PipelineGuardIT {

  /** Misbehaves as the request's {@code x-test-fault} header says; otherwise passes the request on. */
  private static final class FaultyStage implements Stage {
    @Override
    public String name() {
      return "test-fault";
    }

    @Override
    public Future<Void> apply(RequestContext ctx) {
      String fault = ctx.request().getHeader("x-test-fault");
      Vertx vertx = Vertx.currentContext().owner();
      if (fault == null) {
        return Future.succeededFuture();
      }
      switch (fault) {
        case "throw" -> throw new IllegalStateException("injected: the stage threw");
        case "error" -> throw new AssertionError("injected: the stage threw an Error");
        case "callback" -> {
          // The stage's future never completes: only the guard can answer this request.
          vertx.setTimer(1, id -> {
            throw new IllegalStateException("injected: a callback threw");
          });
          return Promise.<Void>promise().future();
        }
        case "mid-stream" -> {
          throwOnceStreaming(vertx, ctx);
          return Future.succeededFuture();
        }
        default -> throw new IllegalArgumentException(fault);
      }
    }
  }

  /** Runs alongside the relay (one-shot timers, on the request's context) and throws once content went out. */
  private static void throwOnceStreaming(Vertx vertx, RequestContext ctx) {
    vertx.setTimer(5, id -> {
      if (ctx.timeToFirstByte() == null) {
        throwOnceStreaming(vertx, ctx);
        return;
      }
      throw new IllegalStateException("injected: a bug while the stream was relayed");
    });
  }

  /** Throws inside the relay's own code as the request's {@code x-relay-fault} header says. */
  private static final RelayObserver.Factory FAULTY_OBSERVER = ctx -> {
    String fault = ctx.request().getHeader("x-relay-fault");
    return new RelayObserver() {
      private int events;
      private int accepted;

      @Override
      public void accepted(int status, MultiMap headers) {
        if ("accepted".equals(fault)) {
          throw new IllegalStateException("injected: the relay threw before the answer started");
        }
        if ("continued".equals(fault) && ++accepted == 2) {
          throw new IllegalStateException("injected: the relay threw taking the continuation of a stream");
        }
      }

      @Override
      public void recovering(StreamBreak broke) {
        if ("recovering".equals(fault)) {
          throw new IllegalStateException("injected: the relay threw on a break mid-stream");
        }
      }

      @Override
      public void body(Buffer upstream, Buffer toClient) {
        if ("body".equals(fault)) {
          throw new IllegalStateException("injected: the relay threw on a body");
        }
      }

      @Override
      public void event(SseEvent upstream, Buffer toClient) {
        if ("event".equals(fault) && ++events == 3) {
          throw new IllegalStateException("injected: the relay threw on a stream event");
        }
      }
    };
  };

  private static final GatewayHooks FAULTY = new GatewayHooks(stages -> {
    List<Stage> out = new ArrayList<>(stages);
    out.add(new FaultyStage());  // the last stage: just before forward
    return out;
  }, request -> { }, observers -> {
    List<RelayObserver.Factory> out = new ArrayList<>(observers);
    out.add(FAULTY_OBSERVER);
    return out;
  });

  private static String config(MockUpstream upstream) {
    return """
        listen: "127.0.0.1:0"
        backends:
          - {name: up, url: "%s"}
          - {name: claude, url: "%s", protocol: anthropic}
        models:
          m: [{backend: up, model: real}]
          c: [{backend: claude, model: real}]
        # One request at a time per backend: a route a bug failed to give back would stall the next request.
        concurrency: {per_backend_limit: 1, queue_timeout: 2s}
        logging: {base_dir: ""}
        """.formatted(upstream.url(), upstream.url());
  }

  @Test
  void aStageThatThrowsIsAnsweredWith500AndLogged(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("fine"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      for (String fault : List.of("throw", "error")) {
        HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false),
            "x-test-fault", fault);
        assertInternalError(r, "openai");
        String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
        log.awaitLine("trace_id=" + traceId, Duration.ofSeconds(5));
      }
      assertEquals(0, up.count(), "nothing was forwarded");
      assertStillServing(gw);
    }
  }

  @Test
  void anExceptionInACallbackAnswersAtOnceInTheClientsProtocol(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("fine"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      HttpResponse<String> openai = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false),
          "x-test-fault", "callback");
      assertInternalError(openai, "openai");
      log.awaitLine("trace_id=" + openai.headers().firstValue("X-Trace-ID").orElseThrow(), Duration.ofSeconds(5));

      HttpResponse<String> anthropic = gw.post("/v1/messages",
          "{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "x-test-fault", "callback");
      assertInternalError(anthropic, "anthropic");
      assertStillServing(gw);
    }
  }

  @Test
  void aBugWhileAStreamIsRelayedEndsItWithAnErrorEventAndReleasesTheUpstream(Vertx vertx) throws Exception {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      events.add(MockUpstream.openAiChunk("real", new JsonObject().put("content", "w" + i + " "), null));
    }
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ofMillis(50), true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up), FAULTY)) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true),
          "x-test-fault", "mid-stream");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("w0 "), r.body());
      assertFalse(r.body().contains("w99 "), "the stream was cut, not run to its end: " + r.body());
      assertFalse(r.body().contains("[DONE]"), r.body());
      String last = r.body().strip().lines().reduce((a, b) -> b).orElseThrow();
      JsonObject error = new JsonObject(last.substring("data: ".length())).getJsonObject("error");
      assertEquals("internal_error", error.getString("code"), last);
      up.awaitConnectionClosed(Duration.ofSeconds(10));  // the backend stops generating for nobody
      assertStillServing(gw);
    }
  }

  @Test
  void aBugInTheRelayBeforeTheAnswerStartedIsA500AndGivesTheRouteBack(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("fine"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      HttpResponse<String> whole = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false),
          "x-relay-fault", "body");
      assertInternalError(whole, "openai");
      log.awaitLine("trace_id=" + whole.headers().firstValue("X-Trace-ID").orElseThrow(), Duration.ofSeconds(5));

      HttpResponse<String> stream = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true),
          "x-relay-fault", "accepted");
      assertInternalError(stream, "openai");
      assertEquals(2, up.count(), "the proxy's own fault is no reason to try the route again");
      assertStillServing(gw);
    }
  }

  @Test
  void aBugInTheRelayMidStreamEndsItWithAnErrorEventAndGivesTheRouteBack(Vertx vertx) throws Exception {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      events.add(MockUpstream.openAiChunk("real", new JsonObject().put("content", "w" + i + " "), null));
    }
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ofMillis(20), true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true),
          "x-relay-fault", "event");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("w0 "), r.body());
      assertFalse(r.body().contains("w99 "), "the stream was cut, not run to its end: " + r.body());
      assertFalse(r.body().contains("[DONE]"), r.body());
      String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
      String last = r.body().strip().lines().reduce((a, b) -> b).orElseThrow();
      JsonObject error = new JsonObject(last.substring("data: ".length())).getJsonObject("error");
      assertEquals("internal_error", error.getString("code"), last);
      assertTrue(error.getString("message").contains(traceId), last);
      log.awaitLine("trace_id=" + traceId, Duration.ofSeconds(5));
      up.awaitConnectionClosed(Duration.ofSeconds(10));  // the backend stops generating for nobody
      assertStillServing(gw);
    }
  }

  /**
   * Mid-stream recovery under the guard: a bug at the break, or once the next route accepted the continuation,
   * ends the stream with the pipeline's error event, and every route is given back (the broken one and the one
   * that took the continuation): the next request is broken and recovered again on the same two routes.
   */
  @Test
  void aBugWhileAStreamIsContinuedEndsItWithAnErrorEventAndGivesEveryRouteBack(Vertx vertx) throws Exception {
    String answer = "one two three four five six seven eight nine ten.";
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(answer)
        .breaking(3, ScriptedModel.Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(answer));
    MutableClock clock = MutableClock.startingNow();  // past each break's cooldown before the next request
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s"}, {name: second, url: "%s"}]
        models:
          r: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]
        fallback: {retry_same_route: 0}
        # One request at a time per backend: a route a bug failed to give back would be skipped next time.
        concurrency: {per_backend_limit: 1, queue_timeout: 2s}
        logging: {base_dir: ""}
        """.formatted(first.url(), second.url()), Map.of(), 2, clock, FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      for (String fault : List.of("recovering", "continued")) {
        clock.advance(Duration.ofHours(1));
        HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("r", true),
            "x-relay-fault", fault);
        assertEquals(200, r.statusCode(), fault);
        assertTrue(r.body().contains("three "), fault + ": " + r.body());
        assertFalse(r.body().contains("[DONE]"), fault + ": " + r.body());
        String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
        JsonObject error = ClientStream.of(r.body()).last().getJsonObject("error");
        assertEquals("internal_error", error.getString("code"), fault + ": " + r.body());
        assertTrue(error.getString("message").contains(traceId), r.body());
        log.awaitLine("trace_id=" + traceId, Duration.ofSeconds(5));

        clock.advance(Duration.ofHours(1));
        HttpResponse<String> next = gw.post("/v1/chat/completions", GatewayHarness.chat("r", true));
        assertEquals("first", next.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow(), fault);
        assertEquals(answer, ClientStream.of(next.body()).openAiText(), fault + ": recovered on second again");
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().services().drain().inFlight() == 0);
      }
      assertEquals(3, second.count(), "asked to continue by the 'continued' fault and the two clean requests");
    }
  }

  // ---- the transparent mode: the same guard over Passthrough -> RawRelay ---------------------------------

  private static String passthroughConfig(MockUpstream upstream) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: pt, url: "%s", protocol: openai, credentials: client}]
        passthrough: {openai: pt}
        # One request at a time: a slot a bug failed to give back would make the next request wait, then 503.
        concurrency: {enabled: true, max_requests: 1, queue_timeout: 2s}
        logging: {base_dir: ""}
        """.formatted(upstream.url());
  }

  @Test
  void aBugOnAPassedThroughRequestBeforeItsAnswerStartedIsA500AndFreesItsSlot(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "pt").always(MockUpstream.chat("fine"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, passthroughConfig(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      // A stage that throws, on both ways in: any other /v1 path, and a modelled endpoint diverted to passthrough.
      HttpResponse<String> stage = gw.post("/v1/responses", "{\"model\":\"gpt-x\"}", "x-test-fault", "throw");
      assertInternalError(stage, "openai");
      log.awaitLine("trace_id=" + stage.headers().firstValue("X-Trace-ID").orElseThrow(), Duration.ofSeconds(5));
      assertInternalError(gw.post("/v1/chat/completions", GatewayHarness.chat("gpt-x", false),
          "x-test-fault", "callback"), "openai");
      assertEquals(0, up.count(), "nothing was forwarded");

      // The relay throws once the answer is in, before a byte went out: a clean 500, not the answer's headers.
      assertInternalError(gw.post("/v1/responses", "{\"model\":\"gpt-x\"}", "x-relay-fault", "accepted"),
          "openai");
      up.next(MockUpstream.status(400, "{\"error\":{\"message\":\"bad\"}}"));
      assertInternalError(gw.post("/v1/chat/completions", GatewayHarness.chat("gpt-x", false),
          "x-relay-fault", "body"), "openai");
      assertEquals(2, up.count());
      assertPassthroughStillServing(gw);
    }
  }

  @Test
  void aBugWhileAPassedThroughStreamIsRelayedEndsItWithAnErrorEventAndReleasesTheUpstream(Vertx vertx)
      throws Exception {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      events.add("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
          + "\"delta\":\"w" + i + " \"}\n\n");
    }
    MockUpstream up = MockUpstream.start(vertx, "pt").always(MockUpstream.sse(events, Duration.ofMillis(20), true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, passthroughConfig(up), FAULTY);
        LogCapture log = LogCapture.of(ProxyPipeline.class)) {
      // The relay's own code throws on the third event; then a callback of the request throws mid-stream.
      for (String[] fault : new String[][] {{"x-relay-fault", "event"}, {"x-test-fault", "mid-stream"}}) {
        up.reset();
        HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"gpt-x\",\"stream\":true}", fault);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("w0 "), r.body());
        assertFalse(r.body().contains("w99 "), "the stream was cut, not run to its end: " + r.body());
        String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
        String last = r.body().strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonObject error = new JsonObject(last.substring("data: ".length())).getJsonObject("error");
        assertEquals("internal_error", error.getString("code"), last);
        assertTrue(error.getString("message").contains(traceId), last);
        log.awaitLine("trace_id=" + traceId, Duration.ofSeconds(5));
        up.awaitConnectionClosed(Duration.ofSeconds(10));  // the backend stops generating for nobody
      }
      assertPassthroughStillServing(gw);
    }
  }

  /** A passed-through request is still served, and every aborted one gave its slot back and ran its cleanup. */
  private static void assertPassthroughStillServing(GatewayHarness gw) {
    HttpResponse<String> ok = gw.post("/v1/responses", "{\"model\":\"gpt-x\"}");
    assertEquals(200, ok.statusCode(), ok.body());
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().services().drain().inFlight() == 0);
  }

  private static void assertInternalError(HttpResponse<String> r, String protocol) {
    assertEquals(500, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    JsonObject body = new JsonObject(r.body());
    String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
    if (protocol.equals("anthropic")) {
      assertEquals("error", body.getString("type"), r.body());
      assertEquals("api_error", body.getJsonObject("error").getString("type"), r.body());
      assertTrue(body.getJsonObject("error").getString("message").contains(traceId), r.body());
    } else {
      assertEquals("internal_error", body.getJsonObject("error").getString("code"), r.body());
      assertTrue(body.getJsonObject("error").getString("message").contains(traceId), r.body());
    }
  }

  /** The gateway still answers, and every aborted request ran its cleanup (it no longer counts as in flight). */
  private static void assertStillServing(GatewayHarness gw) {
    HttpResponse<String> ok = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
    assertEquals(200, ok.statusCode(), ok.body());
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().services().drain().inFlight() == 0);
  }
}
