package dev.llmproxy.limits;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The concurrency gate and per-backend limits, black-box through the gateway's port. */
@ExtendWith(VertxExtension.class)
class ConcurrencyIT {

  private static final String CHAT = "/v1/chat/completions";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private MockUpstream a;
  private MockUpstream b;
  private final BlockingQueue<HttpServerResponse> heldA = new LinkedBlockingQueue<>();
  private final BlockingQueue<HttpServerResponse> heldB = new LinkedBlockingQueue<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void upstreams(Vertx vertx) {
    a = MockUpstream.start(vertx, "a").always(hold(heldA));
    b = MockUpstream.start(vertx, "b").always(hold(heldB));
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    a.close();
    b.close();
  }

  /** Parks the response until the test answers it with {@link #answer}. */
  private static MockUpstream.Reply hold(BlockingQueue<HttpServerResponse> held) {
    return MockUpstream.scripted(response -> {
      held.add(response);
      return Future.succeededFuture();
    });
  }

  private static void answer(BlockingQueue<HttpServerResponse> held) throws InterruptedException {
    HttpServerResponse response = held.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (response == null) {
      throw new AssertionError("no held upstream response to answer");
    }
    response.setStatusCode(200).putHeader("content-type", "application/json")
        .end(new JsonObject().put("id", "x").put("object", "chat.completion")
            .put("choices", new io.vertx.core.json.JsonArray()).encode());
  }

  private GatewayHarness gateway(Vertx vertx, String concurrency) {
    // Long enough that a held response is never cut by the timeout, however slow the machine.
    return gateway(vertx, concurrency, "30s");
  }

  private GatewayHarness gateway(Vertx vertx, String concurrency, String responseHeaderTimeout) {
    GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        timeout: {response_header: %s}
        backends:
          - {name: a, url: "%s"}
          - {name: b, url: "%s"}
        models:
          m:
            - {backend: a, model: ma, priority: 1}
            - {backend: b, model: mb, priority: 2}
        """.formatted(responseHeaderTimeout, a.url(), b.url()) + concurrency);
    closing.add(gw);
    return gw;
  }

  private LoopbackClient client(Vertx vertx, GatewayHarness gw, int connections) {
    LoopbackClient c = new LoopbackClient(vertx, "127.0.0.1", gw.gateway().port(), connections);
    closing.add(c);
    return c;
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Gauges change without an event to wait on: Awaitility polls them. */
  private static void eventually(BooleanSupplier condition, String what) {
    await(what).atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(condition::getAsBoolean);
  }

  private static String chat() {
    return GatewayHarness.chat("m", false);
  }

  @Test
  void fullQueueAnswers503AtOnceAndTheQueuedRequestIsServedLater(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "concurrency: {max_requests: 1, max_queue_size: 1, queue_timeout: 30s}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 4);
    Future<LoopbackClient.Answer> first = c.post(CHAT, chat());
    a.awaitRequest(WAIT);
    Future<LoopbackClient.Answer> second = c.post(CHAT, chat());
    eventually(() -> traffic.queued() == 1, "second request queued");

    LoopbackClient.Answer third = get(c.post(CHAT, chat()));
    assertEquals(503, third.status());
    assertEquals("1", third.header("Retry-After"));
    assertEquals("service_unavailable", third.json().getJsonObject("error").getString("code"));
    assertTrue(third.json().getJsonObject("error").getString("message").contains("queue is full"));
    assertFalse(second.isComplete(), "the queued request is still waiting");
    assertEquals(1, a.count(), "only the first request reached the upstream");

    answer(heldA);
    assertEquals(200, get(first).status());
    a.awaitRequest(WAIT);
    answer(heldA);
    assertEquals(200, get(second).status());
    assertEquals(1L, traffic.rejections().get(TrafficControl.QUEUE_FULL));
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
  }

  @Test
  void requestWaitingLongerThanQueueTimeoutGets503(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "concurrency: {max_requests: 1, max_queue_size: 5, queue_timeout: 300ms}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 2);
    Future<LoopbackClient.Answer> first = c.post(CHAT, chat());
    a.awaitRequest(WAIT);

    long started = System.nanoTime();
    LoopbackClient.Answer late = get(c.post(CHAT, chat()));
    long waitedMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, late.status());
    assertEquals("1", late.header("Retry-After"));
    assertTrue(late.json().getJsonObject("error").getString("message").contains("queue_timeout (300ms;"));
    assertTrue(waitedMs >= 290, "answered after the queue timeout, not before: " + waitedMs + " ms");
    assertEquals(1, a.count());
    assertEquals(0, traffic.queued());

    answer(heldA);
    assertEquals(200, get(first).status());
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
    assertEquals(1L, traffic.rejections().get(TrafficControl.QUEUE_TIMEOUT));
  }

  @Test
  void clientThatDisconnectsWhileQueuedLeavesTheQueueWithoutLeakingASlot(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "concurrency: {max_requests: 1, max_queue_size: 5, queue_timeout: 30s}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 4);
    Future<LoopbackClient.Answer> first = c.post(CHAT, chat());
    a.awaitRequest(WAIT);

    HttpClientRequest quitter = get(c.open(CHAT, chat()));
    eventually(() -> traffic.queued() == 1, "second request queued");
    quitter.connection().close();
    eventually(() -> traffic.queued() == 0, "the gone client left the queue");

    answer(heldA);
    assertEquals(200, get(first).status());
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
    // The slot was not handed to the gone client: the next request goes straight through.
    Future<LoopbackClient.Answer> next = c.post(CHAT, chat());
    a.awaitRequest(WAIT);
    answer(heldA);
    assertEquals(200, get(next).status());
    assertEquals(2, a.count(), "the gone client's request never reached the upstream");
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
  }

  @Test
  void streamedResponseHoldsItsSlotUntilTheStreamEnds(Vertx vertx) throws Exception {
    BlockingQueue<HttpServerResponse> streams = new LinkedBlockingQueue<>();
    List<String> events = MockUpstream.openAiStream("ma", "Hello", " world");
    a.next(MockUpstream.scripted(response -> {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      response.write(events.get(0));
      response.write(events.get(1));
      streams.add(response);
      return Future.succeededFuture();
    }));
    GatewayHarness gw = gateway(vertx, "concurrency: {max_requests: 1, max_queue_size: 5, queue_timeout: 30s}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 4);

    Future<LoopbackClient.Answer> stream = c.post(CHAT, GatewayHarness.chat("m", true));
    HttpServerResponse upstream = streams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    Future<LoopbackClient.Answer> second = c.post(CHAT, chat());
    eventually(() -> traffic.queued() == 1, "second request waits while the stream is open");
    assertEquals(1, traffic.inFlight());
    assertEquals(1, a.count());

    for (String e : events.subList(2, events.size())) {
      upstream.write(e);
    }
    upstream.end();
    LoopbackClient.Answer streamed = get(stream);
    assertEquals(200, streamed.status());
    assertTrue(streamed.body().contains("[DONE]"), streamed.body());
    a.awaitRequest(WAIT);
    a.awaitRequest(WAIT);
    answer(heldA);
    assertEquals(200, get(second).status());
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
  }

  @Test
  void backendAtItsLimitIsSkippedAndAllBusyMeansWaiting(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx,
        "concurrency: {max_requests: 10, max_queue_size: 5, queue_timeout: 30s, per_backend_limit: 1}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 4);

    Future<LoopbackClient.Answer> r1 = c.post(CHAT, chat());
    assertEquals("ma", a.awaitRequest(WAIT).json().getString("model"));
    Future<LoopbackClient.Answer> r2 = c.post(CHAT, chat());
    assertEquals("mb", b.awaitRequest(WAIT).json().getString("model"), "a is at its limit: skipped for b");
    assertEquals(1, a.count());
    Future<LoopbackClient.Answer> r3 = c.post(CHAT, chat());
    eventually(() -> traffic.backendSlots().waiting() == 1, "third request waits: every backend at its limit");
    assertEquals(1, a.count());
    assertEquals(1, b.count());

    answer(heldA);
    LoopbackClient.Answer one = get(r1);
    assertEquals("a", one.header("X-LLM-Proxy-Backend"));
    assertEquals("ma", a.awaitRequest(WAIT).json().getString("model"), "a freed its slot: the waiter goes there");
    answer(heldA);
    answer(heldB);
    LoopbackClient.Answer two = get(r2);
    assertEquals("b", two.header("X-LLM-Proxy-Backend"));
    assertEquals("1", two.header("X-LLM-Proxy-Attempts"), "a skipped candidate is not a failed attempt");
    assertEquals("a", get(r3).header("X-LLM-Proxy-Backend"));
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
    assertEquals(Map.of("a", 0, "b", 0), traffic.backendSlots().inFlightByBackend());
  }

  @Test
  void allBackendsBusyForLongerThanQueueTimeoutGets503(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx,
        "concurrency: {max_requests: 10, max_queue_size: 5, queue_timeout: 200ms, per_backend_limit: 1}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 4);
    Future<LoopbackClient.Answer> r1 = c.post(CHAT, chat());
    a.awaitRequest(WAIT);
    Future<LoopbackClient.Answer> r2 = c.post(CHAT, chat());
    b.awaitRequest(WAIT);
    LoopbackClient.Answer r3 = get(c.post(CHAT, chat()));
    assertEquals(503, r3.status());
    assertEquals("1", r3.header("Retry-After"));
    assertTrue(r3.json().getJsonObject("error").getString("message").contains("per_backend_limit"));
    answer(heldA);
    answer(heldB);
    assertEquals(200, get(r1).status());
    assertEquals(200, get(r2).status());
    eventually(() -> traffic.inFlight() == 0, "in-flight back to 0");
    assertEquals(Map.of("a", 0, "b", 0), traffic.backendSlots().inFlightByBackend());
    assertEquals(1L, traffic.rejections().get(TrafficControl.BACKEND_WAIT_TIMEOUT));
  }

  @Test
  void clientLeavingWhileItsStreamIsPeekedReleasesTheSlotAtOnce(Vertx vertx) throws Exception {
    // The upstream says "I'm here" (role chunk) and then nothing: the proxy is still waiting for the first
    // content (first_token is 120 s by default) when the client goes away.
    a.always(MockUpstream.sse(List.of(MockUpstream.openAiChunk("ma",
        new io.vertx.core.json.JsonObject().put("role", "assistant"), null)), Duration.ZERO, false));
    GatewayHarness gw = gateway(vertx, "concurrency: {max_requests: 4, max_queue_size: 10, queue_timeout: 30s}\n");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 1);
    var request = get(c.open(CHAT, GatewayHarness.chat("m", true)));
    a.awaitRequest(WAIT);
    assertEquals(1, traffic.inFlight());
    request.reset();
    eventually(() -> traffic.inFlight() == 0, "slot released after the client left mid-peek (now " + traffic.inFlight() + ")");
    a.awaitConnectionClosed(WAIT);
  }

  @Test
  void slotsAreAllBackAfterAThousandMixedRequestsWithFailuresAndAborts(Vertx vertx) throws Exception {
    AtomicInteger n = new AtomicInteger();
    AtomicInteger failuresSent = new AtomicInteger();
    MockUpstream.Reply ok = MockUpstream.chat("ok");
    MockUpstream.Reply stream = MockUpstream.sse(MockUpstream.openAiStream("ma", "a", "b", "c"), Duration.ofMillis(1), true);
    a.always((req, body, up) -> {
      boolean wantsStream = body.toJsonObject().getBoolean("stream", false);
      int i = n.getAndIncrement();
      switch (i % 10) {
        case 6 -> {
          failuresSent.incrementAndGet();
          MockUpstream.status(500, "{\"error\":{\"message\":\"boom\"}}").send(req, body, up);
        }
        case 7 -> {
          failuresSent.incrementAndGet();
          MockUpstream.resetBeforeHeaders().send(req, body, up);
        }
        case 9 -> {
          if (i % 50 == 9) {
            failuresSent.incrementAndGet();
            MockUpstream.hang().send(req, body, up);  // response_header timeout, then fallback to b
          } else {
            (wantsStream ? stream : ok).send(req, body, up);
          }
        }
        default -> (wantsStream ? stream : ok).send(req, body, up);
      }
    });
    b.always((req, body, up) -> (body.toJsonObject().getBoolean("stream", false) ? stream : ok).send(req, body, up));

    GatewayHarness gw = gateway(vertx,
        "concurrency: {max_requests: 8, max_queue_size: 2000, queue_timeout: 30s, per_backend_limit: 5}\n", "500ms");
    TrafficControl traffic = gw.gateway().services().traffic();
    LoopbackClient c = client(vertx, gw, 64);

    List<Future<Integer>> results = new ArrayList<>();
    int aborted = 0;
    for (int i = 0; i < 1000; i++) {
      String body = GatewayHarness.chat("m", i % 4 == 0);
      if (i % 13 == 0) {
        aborted++;
        long delay = 1 + (i % 30);
        results.add(c.open(CHAT, body).compose(req -> {
          vertx.setTimer(delay, t -> req.reset());
          return req.response().compose(r -> r.body().map(x -> r.statusCode()));
        }).recover(e -> Future.succeededFuture(-1)));
      } else {
        results.add(c.post(CHAT, body).map(LoopbackClient.Answer::status).recover(e -> Future.succeededFuture(-2)));
      }
    }
    Future.join(results).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    Map<Integer, Long> byStatus = new java.util.TreeMap<>();
    results.forEach(f -> byStatus.merge(f.result(), 1L, Long::sum));

    eventually(() -> traffic.inFlight() == 0 && traffic.queued() == 0,
        "in-flight and queue back to 0 (now " + traffic.inFlight() + "/" + traffic.queued() + ")");
    eventually(() -> traffic.backendSlots().inFlightByBackend().values().stream().allMatch(v -> v == 0),
        "every backend slot released: " + traffic.backendSlots().inFlightByBackend());
    assertEquals(0L, byStatus.getOrDefault(-2, 0L), "no request that was not aborted failed: " + byStatus);
    assertTrue(failuresSent.get() > 0, "upstream failures were part of the mix");
    assertTrue(byStatus.keySet().stream().allMatch(s -> s == 200 || s == -1),
        "every request that was not aborted was served, failures included (fallback to b): " + byStatus);
    assertTrue(byStatus.getOrDefault(200, 0L) >= 1000 - aborted, "served: " + byStatus);
  }
}
