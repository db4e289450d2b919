package dev.llmproxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import dev.llmproxy.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code server:} limits on client connections, on raw sockets: a connection that sends nothing, stops
 * mid-head, uploads too slowly or idles after its answer is closed; connections over {@code max_connections}
 * are refused with a 503 and a log line. A request in progress, a stream above all, is never cut by any of them.
 */
@ExtendWith(VertxExtension.class)
class ClientLimitsIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static String config(MockUpstream upstream, String server) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s"}]
        models: {m: [{backend: up, model: real}]}
        logging: {base_dir: ""}
        server: %s
        """.formatted(upstream.url(), server);
  }

  private static final String SHORT = "{idle_timeout: 300ms, header_timeout: 300ms, body_timeout: 300ms}";

  @Test
  void aConnectionThatSendsNothingIsClosed(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("ok"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, SHORT));
        RawHttp raw = RawHttp.connect(gw.gateway().port())) {
      assertEquals("", raw.readUntilClosed(WAIT), "closed without a word: there was no request to answer");
      awaitCounter(gw, "header_timeout");
    }
  }

  @Test
  void aHeadThatStopsHalfwayGets408AndIsClosed(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("ok"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, SHORT));
        RawHttp raw = RawHttp.connect(gw.gateway().port())) {
      String answer = raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Ty").readUntilClosed(WAIT);
      assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
      assertEquals("request_timeout", new JsonObject(RawHttp.body(answer)).getJsonObject("error").getString("code"));
    }
    assertEquals(0, up.count());
  }

  @Test
  void aSlowUploadGets408InTheClientsProtocolAndIsClosed(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("ok"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, SHORT));
        RawHttp raw = RawHttp.connect(gw.gateway().port())) {
      String answer = raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 500\r\n\r\n{\"model\":").readUntilClosed(WAIT);
      assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
      JsonObject body = new JsonObject(RawHttp.body(answer));
      assertEquals("error", body.getString("type"), answer);
      assertTrue(body.getJsonObject("error").getString("message").contains("server.body_timeout"), answer);
    }
    assertEquals(0, up.count());
  }

  @Test
  void aKeptAliveConnectionIsClosedAfterItsIdleTimeout(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("ok"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, SHORT));
        RawHttp raw = RawHttp.connect(gw.gateway().port())) {
      String first = raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + CHAT.length() + "\r\n\r\n" + CHAT).readResponse(WAIT);
      assertTrue(first.startsWith("HTTP/1.1 200 "), first);
      assertEquals("", raw.readUntilClosed(WAIT), "nothing more, then the close");
      awaitCounter(gw, "idle_timeout");
    }
  }

  @Test
  void streamsAndSlowAnswersAreNeverCutByTheseLimits(Vertx vertx) {
    // Every pause below is longer than every limit: a limit that applied mid-request would cut the answer.
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(
        MockUpstream.openAiStream("real", "one", " two", " three"), Duration.ofMillis(700), true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, SHORT))) {
      HttpResponse<String> streamed = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true));
      assertEquals(200, streamed.statusCode(), streamed.body());
      assertTrue(streamed.body().contains(" three") && streamed.body().contains("[DONE]"), streamed.body());
      assertEquals(String.join("", MockUpstream.openAiStream("real", "one", " two", " three")), streamed.body());
    }
  }

  @Test
  void connectionsOverTheLimitAre503WithALogLineAndServedAgainOnceBelow(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("ok"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "{max_connections: 3}"));
        LogCapture log = LogCapture.of(ClientConnections.class)) {
      List<RawHttp> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawHttp raw = RawHttp.connect(gw.gateway().port());
        // A completed request proves the gateway accepted (and counted) the connection before the next one.
        assertTrue(raw.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(WAIT).startsWith("HTTP/1.1 200"));
        held.add(raw);
      }
      try (RawHttp over = RawHttp.connect(gw.gateway().port())) {
        String answer = over.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + CHAT.length() + "\r\n\r\n" + CHAT).readUntilClosed(WAIT);
        assertTrue(answer.startsWith("HTTP/1.1 503 "), answer);
        assertTrue(answer.contains("Retry-After: 1"), answer);
        JsonObject error = new JsonObject(RawHttp.body(answer)).getJsonObject("error");
        assertTrue(error.getString("message").contains("server.max_connections"), answer);
      }
      log.awaitLine("client connections at server.max_connections", WAIT);
      assertEquals(0, up.count(), "the refused connection's request went nowhere");

      held.remove(0).close();
      log.awaitLine("client connections below server.max_connections again", WAIT);
      HttpResponse<String> metrics = gw.get("/metrics");
      assertEquals(200, metrics.statusCode(), "served again once a connection closed");
      assertTrue(PromText.parse(metrics.body()).value("llmproxy_client_connections_refused_total") >= 1);
      held.forEach(RawHttp::close);
    }
  }

  private static void awaitCounter(GatewayHarness gw, String limit) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> PromText.parse(gw.get("/metrics").body())
        .value("llmproxy_client_connections_timed_out_total", "limit", limit) >= 1);
  }
}
