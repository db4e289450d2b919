package dev.llmproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the upstream receives, and what happens when it cannot be reached or does not answer. */
@ExtendWith(VertxExtension.class)
class ForwardingIT {

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void rewritesModelSwapsKeyAndStripsClientCredentials(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy_api_key: proxy-secret
        backends: [{name: oa, url: "%s", api_key: sk-upstream, headers: {OpenAI-Project: proj_1}}]
        models: {gpt: [{backend: oa, model: real-gpt}]}
        """.formatted(up.url()))) {
      String body = "{\"model\":\"gpt\",\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}";
      HttpResponse<String> r = gw.post("/v1/chat/completions", body,
          "Authorization", "Bearer proxy-secret", "x-api-key", "proxy-secret", "X-Custom", "kept",
          "Cookie", "session=1", "Upgrade", "h2c", "Connection", "X-Hop", "X-Hop", "dropped", "TE", "trailers");
      assertEquals(200, r.statusCode(), r.body());
      MockUpstream.Received got = up.last();
      assertEquals("/v1/chat/completions", got.path());
      JsonObject sent = got.json();
      assertEquals("real-gpt", sent.getString("model"));
      assertEquals(0.2, sent.getDouble("temperature"));
      assertEquals("héllo", sent.getJsonArray("messages").getJsonObject(0).getString("content"));
      assertEquals("Bearer sk-upstream", got.header("Authorization"));
      assertNull(got.header("x-api-key"), "the client's key is never forwarded");
      assertFalse(got.headers().toString().contains("proxy-secret"));
      assertEquals("kept", got.header("X-Custom"));
      assertEquals("proj_1", got.header("OpenAI-Project"), "backend headers are added");
      assertNull(got.header("Cookie"));
      assertNull(got.header("Upgrade"), "hop-by-hop");
      assertNull(got.header("TE"), "hop-by-hop");
      assertNull(got.header("X-Hop"), "named by Connection, so hop-by-hop");
      assertEquals("127.0.0.1", got.header("X-Forwarded-For"));
      assertEquals("up", r.headers().firstValue("x-upstream-id").orElseThrow(), "upstream headers are relayed");
      assertEquals("oa", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("real-gpt", r.headers().firstValue("X-LLM-Proxy-Model").orElseThrow());
    }
  }

  /** The request goes out as the client wrote it: only the model's value changes (no decode, no re-encode). */
  @Test
  void requestBodiesKeepTheClientsBytesButTheModel(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s"}]
        models: {gpt: [{backend: oa, model: real-gpt}]}
        """.formatted(up.url()))) {
      String body = "{ \"messages\" : [ {\"role\":\"user\",\"content\":\"h\\u00e9llo \\/ \u2713\"} ],\n"
          + "  \"model\":   \"gpt\" , \"temperature\": 0.50, \"max_tokens\": 1.0E3, \"seed\": 12345678901234567890 }";
      assertEquals(200, gw.post("/v1/chat/completions", body).statusCode());
      assertEquals(body.replace("\"gpt\"", "\"real-gpt\""), up.last().body().toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void nonStreamBodiesArePassedThroughByteForByte(Vertx vertx) {
    String exact = "{ \"id\" : \"x\",\n  \"weird\":   [1,2 ,3], \"model\":\"real\" }";
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(200, exact));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s"}]
        models: {gpt: [{backend: oa, model: real}]}
        """.formatted(up.url()))) {
      assertEquals(exact, gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false)).body());
    }
  }

  @Test
  void anthropicBackendsGetXApiKeyAndVersion(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "an");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy: {forward_client_ip: false}
        backends: [{name: an, url: "%s", api_key: sk-ant-up, protocol: anthropic}]
        models: {claude: [{backend: an, model: claude-real}]}
        """.formatted(up.url()))) {
      gw.post("/v1/messages", GatewayHarness.chat("claude", false), "Authorization", "Bearer client-thing");
      MockUpstream.Received got = up.last();
      assertEquals("/v1/messages", got.path());
      assertEquals("sk-ant-up", got.header("x-api-key"));
      assertEquals("2023-06-01", got.header("anthropic-version"));
      assertNull(got.header("Authorization"));
      assertNull(got.header("X-Forwarded-For"), "forward_client_ip: false");
      assertEquals("claude-real", got.json().getString("model"));

      gw.post("/v1/messages/count_tokens", GatewayHarness.chat("claude", false), "anthropic-version", "2024-01-01");
      assertEquals("/v1/messages/count_tokens", up.last().path());
      assertEquals("2024-01-01", up.last().header("anthropic-version"), "the client's version wins");
    }
  }

  @Test
  void connectionFailureFallsThroughToTheNextCandidate(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: dead, url: "http://127.0.0.1:%d/v1"}
          - {name: alive, url: "%s"}
        models: {gpt: [{backend: dead, model: a, priority: 1}, {backend: alive, model: b, priority: 2}]}
        """.formatted(closedPort(), up.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("alive", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("2", r.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());
      assertEquals("b", up.last().json().getString("model"));
    }
  }

  @Test
  void allCandidatesFailingIs502NamingHowManyWereTried(Vertx vertx) throws Exception {
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: d1, url: "http://127.0.0.1:%d/v1"}
          - {name: d2, url: "http://127.0.0.1:%d/v1"}
        models: {gpt: [{backend: d1, model: a}, {backend: d2, model: b}]}
        """.formatted(closedPort(), closedPort()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
      assertEquals(502, r.statusCode());
      String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
      assertTrue(message.startsWith("All 2 attempt(s) for model \"gpt\" failed"), message);
      assertTrue(message.contains("d1/a: connection failed") && message.contains("d2/b: connection failed"), message);
    }
  }

  @Test
  void silentUpstreamIs504WithinTheHeaderTimeout(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "silent").always(MockUpstream.hang());
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        timeout: {response_header: 300ms}
        backends: [{name: s, url: "%s", protocol: anthropic}]
        models: {gpt: [{backend: s, model: a}]}
        """.formatted(up.url()))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = gw.post("/v1/messages", GatewayHarness.chat("gpt", false));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(504, r.statusCode(), r.body());
      assertEquals("error", new JsonObject(r.body()).getString("type"), "Anthropic shape on /v1/messages");
      assertTrue(ms < 5000, "answered in " + ms + " ms");
    }
  }

  @Test
  void totalTimeoutBoundsTheWholeRequest(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "silent").always(MockUpstream.hang());
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        timeout: {response_header: 60s, total: 400ms}
        backends: [{name: s, url: "%s"}, {name: t, url: "%s"}]
        models: {gpt: [{backend: s, model: a, priority: 1}, {backend: t, model: b, priority: 2}]}
        """.formatted(up.url(), up.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
      assertEquals(504, r.statusCode(), r.body());
      assertEquals(1, up.count(), "no time left for a second attempt");
    }
  }

  @Test
  void routesThatCannotServeTheOperationAreSkippedAndNamed(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "an");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: an, url: "%s", protocol: anthropic}
          - {name: "off", url: "%s", enabled: false}
        models: {claude: [{backend: an, model: c}, {backend: "off", model: o}]}
        """.formatted(up.url(), up.url()))) {
      HttpResponse<String> r = gw.post("/v1/embeddings", "{\"model\":\"claude\",\"input\":\"hi\"}");
      assertEquals(400, r.statusCode());
      String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
      assertTrue(message.contains("an/c (backend speaks anthropic, request is openai; Anthropic has no embeddings"
          + " endpoint)"), message);
      assertTrue(message.contains("off/o (backend disabled: enabled: false)"), message);
      assertEquals(0, up.count());
    }
  }

  @Test
  void upstreamErrorsThatAreNotTransportFailuresPassThrough(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up")
        .always(MockUpstream.status(400, "{\"error\":{\"message\":\"bad temperature\",\"type\":\"invalid_request_error\"}}"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s"}]
        models: {gpt: [{backend: oa, model: a}]}
        """.formatted(up.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
      assertEquals(400, r.statusCode());
      assertTrue(r.body().contains("bad temperature"));
    }
  }

  @Test
  void untrustedTlsCertificateIsADetectedFailureThatFallsBack(Vertx vertx) {
    io.vertx.core.net.SelfSignedCertificate certificate = io.vertx.core.net.SelfSignedCertificate.create("localhost");
    MockUpstream untrusted = MockUpstream.startTls(vertx, "untrusted", certificate);
    MockUpstream plain = MockUpstream.start(vertx, "plain");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: tls, url: "%s"}, {name: plain, url: "%s"}]
        models: {gpt: [{backend: tls, model: a, priority: 1}, {backend: plain, model: b, priority: 2}]}
        """.formatted(untrusted.url(), plain.url()))) {
      assertTrue(untrusted.url().startsWith("https://localhost:"));
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("plain", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals(0, untrusted.count(), "certificate verification failed before any request was sent");
      assertEquals("2", r.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow(), "not retried: unreachable");
    } finally {
      certificate.delete();
    }
  }

  @Test
  void clientLeavingBeforeTheAnswerCancelsTheUpstreamRequest(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "slow").always(MockUpstream.hang());
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: s, url: "%s"}]
        models: {gpt: [{backend: s, model: a}]}
        """.formatted(up.url()))) {
      var pending = gw.client().sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("gpt", false))).build(),
          HttpResponse.BodyHandlers.ofString());
      up.awaitRequest(Duration.ofSeconds(10));
      pending.cancel(true);
      assertEquals("/v1/chat/completions", up.awaitConnectionClosed(Duration.ofSeconds(10)),
          "a long generation must not go on for a client that left");
    }
  }
}
