package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SSE relay through the port: incremental, verbatim, closed both ways, and paced by the client. */
@ExtendWith(VertxExtension.class)
class StreamingIT {

  private static String config(MockUpstream up, String protocol) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", protocol: %s}]
        models: {m: [{backend: up, model: real}]}
        """.formatted(up.url(), protocol);
  }

  private static HttpRequest streamRequest(GatewayHarness gw, String path) {
    return HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", true))).build();
  }

  @Test
  void firstChunkArrivesBeforeTheUpstreamSendsTheLast(Vertx vertx) throws Exception {
    Promise<Void> release = Promise.promise();
    List<String> events = MockUpstream.openAiStream("real", "Hel", "lo");
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.scripted(response -> {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      response.write(events.get(0));
      response.write(events.get(1));
      // The rest waits until the test has seen the first content: a buffering proxy would deadlock here.
      return release.future().compose(v -> {
        events.subList(2, events.size()).forEach(response::write);
        return response.end();
      });
    }));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "openai"))) {
      HttpResponse<InputStream> r = gw.send(streamRequest(gw, "/v1/chat/completions"), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      String first = CompletableFuture.supplyAsync(() -> readLineContaining(reader, "Hel")).get(10, TimeUnit.SECONDS);
      assertNotNull(first);
      vertx.runOnContext(v -> release.complete());
      StringBuilder rest = new StringBuilder();
      for (String line; (line = reader.readLine()) != null; ) {
        rest.append(line).append('\n');
      }
      assertTrue(rest.toString().contains("\"lo\""), rest.toString());
      assertTrue(rest.toString().trim().endsWith("data: [DONE]"), rest.toString());
    }
  }

  private static String readLineContaining(BufferedReader reader, String needle) {
    try {
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.contains(needle)) {
          return line;
        }
      }
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everySseLineIsRelayedVerbatim(Vertx vertx) {
    List<String> events = List.of(
        ": upstream comment\n\n",
        "retry: 1000\nid: 1\ndata: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
        "id: 2\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n",
        "event: custom\ndata: {\"choices\":[{\"delta\":{\"content\":\"b\"}}],\n data: \"x\":1}\n\n".replace("\n data", "\ndata"),
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: [DONE]\n\n");
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "openai"))) {
      HttpResponse<String> r = gw.send(streamRequest(gw, "/v1/chat/completions"), HttpResponse.BodyHandlers.ofString());
      assertEquals(String.join("", events), r.body());
      assertEquals("real", up.last().json().getString("model"));
      assertEquals(true, up.last().json().getBoolean("stream"));
    }
  }

  @Test
  void anthropicEventsAreRelayedVerbatim(Vertx vertx) {
    List<String> events = List.of(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n",
        "event: ping\ndata: {\"type\":\"ping\"}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ofMillis(5), true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "anthropic"))) {
      HttpResponse<String> r = gw.send(streamRequest(gw, "/v1/messages"), HttpResponse.BodyHandlers.ofString());
      assertEquals(String.join("", events), r.body());
    }
  }

  @Test
  void clientDisconnectMidStreamClosesTheUpstream(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.scripted(response -> {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      response.write(MockUpstream.openAiStream("real", "first").get(1));
      long timer = vertx.setPeriodic(50, t -> response.write(": still generating\n\n"));
      response.closeHandler(v -> vertx.cancelTimer(timer));
      return Future.succeededFuture();
    }));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "openai"))) {
      HttpResponse<InputStream> r = gw.send(streamRequest(gw, "/v1/chat/completions"), HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      assertNotNull(CompletableFuture.supplyAsync(() -> readLineContaining(reader, "first")).get(10, TimeUnit.SECONDS));
      r.body().close();
      assertEquals("/v1/chat/completions", up.awaitConnectionClosed(Duration.ofSeconds(10)),
          "the proxy must close the upstream when the client goes away");
    }
  }

  @Test
  void aSlowClientPausesTheUpstream(Vertx vertx) throws Exception {
    int eventSize = 1024;
    long total = 64L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    CountDownLatch blocked = new CountDownLatch(1);
    String event = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(eventSize - 48) + "\"}}]}\n\n";
    Buffer eventBytes = Buffer.buffer(event);
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.scripted(response -> {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      pump(response, eventBytes, total, written, blocked);
      return Future.succeededFuture();
    }));
    // idle: 300ms is far shorter than the client's stall: the upstream's silence while the proxy holds it paused
    // for the client is not idleness, and must not end the stream.
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "openai") + "timeout: {idle: 300ms}\n")) {
      HttpResponse<InputStream> r = gw.send(streamRequest(gw, "/v1/chat/completions"), HttpResponse.BodyHandlers.ofInputStream());
      InputStream body = r.body();
      assertTrue(body.read(new byte[16]) > 0);
      // The client now reads nothing. Backpressure must propagate: the upstream's writes stall. Without it the
      // proxy would drain the upstream into memory and all 64 MiB would be written within a second or two.
      assertTrue(blocked.await(20, TimeUnit.SECONDS), "upstream was never slowed down");
      long stalledAt = awaitStall(written, Duration.ofMillis(500), Duration.ofSeconds(20));
      assertTrue(stalledAt < total / 2, "upstream wrote " + stalledAt + " of " + total + " bytes to a client reading nothing");
      long received = 16;
      byte[] chunk = new byte[64 * 1024];
      String tail = "";
      for (int n; (n = body.read(chunk)) > 0; ) {
        received += n;
        tail = (tail + new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
        tail = tail.substring(Math.max(0, tail.length() - 64));
      }
      assertTrue(tail.endsWith("data: [DONE]\n\n"), "complete, not cut by the idle timeout: ..." + tail);
      assertEquals(written.get() + "data: [DONE]\n\n".length(), received, "every byte arrives once the client reads");
    }
  }

  /** Waits until the counter has not moved for {@code quiet}; observing an absence of progress needs a clock. */
  private static long awaitStall(AtomicLong counter, Duration quiet, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long last = counter.get();
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = counter.get();
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince >= quiet.toNanos()) {
        return now;
      }
    }
    throw new AssertionError("upstream never stalled; wrote " + counter.get());
  }

  /** Writes events as fast as the proxy accepts them, honouring backpressure like a well-behaved server. */
  private static void pump(HttpServerResponse response, Buffer event, long total, AtomicLong written, CountDownLatch blocked) {
    while (written.get() < total) {
      if (response.writeQueueFull()) {
        blocked.countDown();
        response.drainHandler(v -> pump(response, event, total, written, blocked));
        return;
      }
      response.write(event);
      written.addAndGet(event.length());
    }
    response.end("data: [DONE]\n\n");
  }
}
