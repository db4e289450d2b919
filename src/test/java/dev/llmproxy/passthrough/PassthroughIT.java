package dev.llmproxy.passthrough;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transparent mode through the port: every path reaches the provider as the client made it, with the
 * client's own key, and the answer comes back byte for byte.
 */
class PassthroughIT {

  private Vertx vertx;
  private MockUpstream openai;
  private MockUpstream anthropic;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    openai = MockUpstream.start(vertx, "openai");
    anthropic = MockUpstream.start(vertx, "anthropic");
    gateway = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: openai, url: "%s", protocol: openai, credentials: client}
          - {name: anthropic, url: "%s", protocol: anthropic, credentials: client}
          - {name: local, type: echo}
        passthrough: {openai: openai, anthropic: anthropic}
        models:
          routed: [{backend: local, model: echo}]
        """.formatted(openai.url(), anthropic.url()));
  }

  @AfterEach
  void stop() {
    gateway.close();
    openai.close();
    anthropic.close();
    vertx.close().await();
  }

  @Test
  void responsesApiStreamPassesThroughByteForByteWithTheClientsKey() throws Exception {
    // Odd spacing and CRLF line ends on purpose: any re-encoding would change them.
    String events = "event: response.created\r\ndata: {\"type\":\"response.created\" ,\"response\":{}}\r\n\r\n"
        + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hé\"}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":"
        + "{\"input_tokens\":7,\"output_tokens\":3}}}\n\n";
    openai.always(MockUpstream.sse(List.of(events.substring(0, 40), events.substring(40)), Duration.ofMillis(5), true));
    String body = "{\"model\":\"gpt-5-codex\",  \"stream\":true,\"input\":\"hi\"}";
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(
              URI.create(gateway.baseUrl() + "/v1/responses?trace=1"))
          .header("content-type", "application/json")
          .header("authorization", "Bearer sk-client-own-key-123456")
          .header("x-trace-id", "trace-passthrough-1")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

      assertEquals(200, response.statusCode());
      assertArrayEquals(events.getBytes(StandardCharsets.UTF_8), response.body());
      assertEquals("trace-passthrough-1", response.headers().firstValue("x-trace-id").orElse(null));
      MockUpstream.Received got = openai.last();
      assertEquals("/v1/responses", got.path());
      assertEquals("Bearer sk-client-own-key-123456", got.header("authorization"));
      assertEquals("trace-passthrough-1", got.header("x-trace-id"));
      assertEquals(body, got.body().toString(StandardCharsets.UTF_8));  // the client's bytes, not re-encoded
      String line = access.awaitLine("trace-passthrough-1", Duration.ofSeconds(5));
      assertTrue(line.contains("backend=openai") && line.contains("alias=gpt-5-codex") && line.contains("status=200"),
          line);
      assertTrue(line.contains("prompt_tokens=7") && line.contains("completion_tokens=3"), line);
    }
  }

  @Test
  void unknownModelOnAModeledEndpointGoesToTheProviderUnchanged() throws Exception {
    String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> response = gateway.post("/v1/chat/completions", body,
          "authorization", "Bearer sk-abc-123456789", "x-trace-id", "trace-unknown-model");
      assertEquals(200, response.statusCode());
      assertEquals("gpt-4o", new JsonObject(response.body()).getString("model"));
      assertEquals(body, openai.last().body().toString(StandardCharsets.UTF_8));
      assertEquals("Bearer sk-abc-123456789", openai.last().header("authorization"));
      // The JSON answer's usage is read from a copy, as for a routed answer.
      String line = access.awaitLine("trace-unknown-model", Duration.ofSeconds(5));
      assertTrue(line.contains("passthrough=true") && line.contains("prompt_tokens=3")
          && line.contains("completion_tokens=2"), line);
    }
    // An alias is still routed as usual, and the client's key is not sent to a backend without credentials: client.
    HttpResponse<String> routed = gateway.post("/v1/chat/completions", GatewayHarness.chat("routed", false),
        "authorization", "Bearer sk-abc-123456789");
    assertEquals("local", routed.headers().firstValue("x-llm-proxy-backend").orElse(null));
    assertEquals(1, openai.count());
  }

  @Test
  void anthropicRequestsGoToTheAnthropicBackendOnAnyPathAndMethod() {
    anthropic.always((req, b, up) -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("method", req.method().name()).put("uri", req.uri()).encode()));
    HttpResponse<String> models = gateway.get("/v1/models?limit=5", "anthropic-version", "2023-06-01",
        "x-api-key", "sk-ant-client-key-1234567");
    assertEquals(200, models.statusCode());
    JsonObject echoed = new JsonObject(models.body());
    assertEquals("GET", echoed.getString("method"));
    assertEquals("/v1/models?limit=5", echoed.getString("uri"));
    assertEquals("sk-ant-client-key-1234567", anthropic.last().header("x-api-key"));

    // One model, as the SDKs' models.retrieve asks for it: the provider's, like the list.
    HttpResponse<String> model = gateway.get("/v1/models/claude-sonnet-4-5", "anthropic-version", "2023-06-01",
        "x-api-key", "sk-ant-client-key-1234567");
    assertEquals(200, model.statusCode(), model.body());
    assertEquals("/v1/models/claude-sonnet-4-5", new JsonObject(model.body()).getString("uri"));

    HttpResponse<String> count = gateway.post("/v1/messages/count_tokens",
        "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}", "anthropic-version", "2023-06-01",
        "x-api-key", "sk-ant-client-key-1234567");
    assertEquals("/v1/messages/count_tokens", new JsonObject(count.body()).getString("uri"));
    assertEquals(0, openai.count());
  }

  @Test
  void providerErrorsComeBackUnchangedWithoutFallbackOrCooldown() {
    String error = "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\"}}";
    openai.next(MockUpstream.status(401, error));
    HttpResponse<String> first = gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt-4o", false),
        "authorization", "Bearer wrong");
    assertEquals(401, first.statusCode());
    assertEquals(error, first.body());
    // No cooldown: the next client (with its own key) goes straight through.
    assertEquals(200, gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt-4o", false)).statusCode());
    assertEquals(2, openai.count());
  }

  @Test
  void anUnreachableBackendIsA502InTheClientsProtocolWithAWarnLineAndOneAccessLine() throws Exception {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        backends:
          - {name: openai, url: "%s", protocol: openai, credentials: client}
          - {name: anthropic, url: "http://127.0.0.1:1/v1", protocol: anthropic, credentials: client}
        passthrough: {openai: openai, anthropic: anthropic}
        """.formatted(openai.url()));
    try (LogCapture forward = LogCapture.of("llmproxy.forward");
        LogCapture access = LogCapture.of("llmproxy.access")) {
      // A modelled endpoint (its model is no alias) and a path the proxy does not model: the same forward.
      for (String path : List.of("/v1/messages", "/v1/messages/batches")) {
        String trace = "trace-dead" + path.replace('/', '-');
        HttpResponse<String> response = gateway.post(path, "{\"model\":\"claude-x\",\"messages\":[]}",
            "anthropic-version", "2023-06-01", "x-api-key", "sk-ant-client-key-1234567", "x-trace-id", trace);

        assertEquals(502, response.statusCode(), response.body());
        JsonObject error = new JsonObject(response.body());
        assertEquals("error", error.getString("type"), response.body());  // Anthropic's error shape
        assertTrue(error.getJsonObject("error").getString("message")
            .startsWith("Passthrough to backend \"anthropic\" failed: connection failed"), response.body());
        String warn = forward.awaitLine(trace, Duration.ofSeconds(5));
        assertTrue(warn.startsWith("passthrough failed") && warn.contains("failure_kind=connect")
            && warn.contains("path=" + path.substring("/v1".length())), warn);
        String line = access.awaitLine(trace, Duration.ofSeconds(5));
        assertTrue(line.contains("passthrough=true") && line.contains("status=502"), line);
        assertEquals(1, access.count(trace), access.lines().toString());
      }
    }
    assertEquals(0, openai.count());
  }

  @Test
  void aResponsesRequestPassesThroughUnlessItsModelIsAnAlias() {
    // The Responses API makes model optional (a stored prompt may name it): such a request still passes through.
    String noModel = "{\"prompt\":{\"id\":\"pmpt_123\"},  \"input\":\"hi\"}";
    HttpResponse<String> passed = gateway.post("/v1/responses", noModel, "authorization", "Bearer sk-client-own-1");
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals("/v1/responses", openai.last().path());
    assertEquals(noModel, openai.last().body().toString(StandardCharsets.UTF_8));
    assertEquals("Bearer sk-client-own-1", openai.last().header("authorization"));

    HttpResponse<String> routed = gateway.post("/v1/responses", "{\"model\":\"routed\",\"input\":\"hi\"}");
    assertEquals(200, routed.statusCode(), routed.body());
    assertEquals("local", routed.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    assertEquals("[echo] hi", new JsonObject(routed.body()).getJsonArray("output").getJsonObject(0)
        .getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals(1, openai.count());
  }

  @Test
  void withoutPassthroughUnknownPathsAndModelsStay404() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models: {routed: [{backend: local, model: echo}]}
        """);
    assertEquals(404, gateway.post("/v1/responses", "{\"model\":\"x\"}").statusCode());
    HttpResponse<String> unknown = gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt-4o", false));
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.body().contains("model_not_found"), unknown.body());
    assertEquals(0, openai.count());
  }

  @Test
  void passedThroughRequestsMeetTheSameLimitsAsRoutedOnes() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        proxy: {max_body_bytes: 64}
        rate_limit: {per_ip_rps: 1, burst_factor: 1}
        backends:
          - {name: openai, url: "%s", protocol: openai, credentials: client}
        passthrough: {openai: openai}
        """.formatted(openai.url()));
    HttpResponse<String> tooBig =
        gateway.post("/v1/responses", "{\"model\":\"m\",\"input\":\"" + "x".repeat(100) + "\"}");
    assertEquals(413, tooBig.statusCode());
    assertTrue(tooBig.body().contains("proxy.max_body_bytes"), tooBig.body());
    assertEquals(200, gateway.post("/v1/responses", "{\"model\":\"m\"}").statusCode());
    HttpResponse<String> limited = gateway.post("/v1/responses", "{\"model\":\"m\"}");
    assertEquals(429, limited.statusCode());
    assertTrue(limited.headers().firstValue("retry-after").isPresent());
    assertEquals(1, openai.count());
  }

  @Test
  void anUpstreamThatGoesQuietMidStreamEndsWithAnErrorEventNotACleanEnd() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        timeout: {idle: 300ms}
        backends:
          - {name: openai, url: "%s", protocol: openai, credentials: client}
        passthrough: {openai: openai}
        """.formatted(openai.url()));
    openai.always(MockUpstream.sse(List.of("data: {\"type\":\"response.created\"}\n\n"), Duration.ZERO, false));
    HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"m\",\"stream\":true}");
    assertEquals(200, response.statusCode());
    assertTrue(response.body().startsWith("data: {\"type\":\"response.created\"}\n\n"), response.body());
    assertTrue(response.body().contains("stream interrupted") && response.body().contains("timeout.idle"),
        response.body());
  }
}
