package dev.llmproxy.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockBedrock;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bedrock backends through the port, against a local Bedrock that verifies every signature and streams real
 * CRC-checked eventstream frames.
 */
class BedrockIT {

  private static final String KEY_ID = "AKIAMOCKBEDROCK12345";
  private static final String SECRET = "mockSecretKey/For+Tests/0123456789abcdefgh";
  private static final String MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
  private static final String MESSAGES = """
      {"model":"claude","max_tokens":64,"stream":%s,"messages":[{"role":"user","content":"hi"}]}""";

  private Vertx vertx;
  private MockBedrock bedrock;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    bedrock = MockBedrock.start(vertx, "us-west-2", KEY_ID, SECRET);
    gateway = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - name: aws
            type: bedrock
            region: us-west-2
            url: "%s"
            access_key_id: %s
            secret_access_key: "%s"
          - {name: local, type: echo}
        passthrough: {bedrock: aws}
        models:
          claude: [{backend: aws, model: "%s"}]
          claude-safe: [{backend: aws, model: "%s", priority: 1}, {backend: local, model: echo, priority: 2}]
        """.formatted(bedrock.url(), KEY_ID, SECRET, MODEL, MODEL));
  }

  @AfterEach
  void stop() {
    gateway.close();
    bedrock.close();
    vertx.close().await();
  }

  @Test
  void aliasRouteStreamsTheEventstreamAsAnthropicSse() {
    bedrock.stream(MockBedrock.chunks(MockBedrock.helloWorldEvents()), 7);  // frames split across writes
    HttpResponse<String> response = gateway.post("/v1/messages", MESSAGES.formatted(true),
        "anthropic-version", "2023-06-01", "anthropic-beta", "tools-2024-04-04, prompt-caching-2024-07-31");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals(List.of(), bedrock.signatureFailures());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    String body = response.body();
    assertTrue(body.startsWith("event: message_start\ndata: {\"type\":\"message_start\""), body);
    assertTrue(body.contains("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"), body);
    assertTrue(body.endsWith("event: message_stop\ndata: " + MockBedrock.helloWorldEvents().get(6) + "\n\n"), body);

    MockUpstream.Received sent = bedrock.upstream().last();
    assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream", sent.path());
    assertEquals("application/vnd.amazon.eventstream", sent.header("accept"));
    JsonObject json = sent.json();
    assertFalse(json.containsKey("model") || json.containsKey("stream"), json.encode());
    assertEquals("bedrock-2023-05-31", json.getString("anthropic_version"));
    assertEquals(new JsonArray().add("tools-2024-04-04").add("prompt-caching-2024-07-31"),
        json.getJsonArray("anthropic_beta"));
    assertEquals(null, sent.header("anthropic-version"));
  }

  @Test
  void aliasRouteWithoutStreamInvokesAndRelaysTheMessage() {
    JsonObject message = new JsonObject().put("id", "msg_1").put("type", "message").put("role", "assistant")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "hi there")))
        .put("usage", new JsonObject().put("input_tokens", 3).put("output_tokens", 2));
    bedrock.message(message);
    HttpResponse<String> response = gateway.post("/v1/messages", MESSAGES.formatted(false),
        "anthropic-version", "2023-06-01");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(message, new JsonObject(response.body()));
    assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke", bedrock.upstream().last().path());
    assertEquals(List.of(), bedrock.signatureFailures());
  }

  @Test
  void claudeCodeBedrockModeGetsTheFramesUnchangedAndACopyIsDecoded() throws Exception {
    Buffer frames = MockBedrock.chunks(MockBedrock.helloWorldEvents());
    bedrock.stream(frames, 11);
    String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":[]}";
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<byte[]> response = gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
              + "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream"))
          .header("content-type", "application/json").header("x-trace-id", "bedrock-mode-1")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

      assertEquals(200, response.statusCode());
      assertEquals("application/vnd.amazon.eventstream", response.headers().firstValue("content-type").orElse(null));
      assertArrayEquals(frames.getBytes(), response.body());  // unchanged: Claude Code decodes the frames itself
      assertEquals(List.of(), bedrock.signatureFailures());
      assertEquals(body, bedrock.upstream().last().body().toString());
      // Claude Code also counts tokens through the runtime: passed on, signed, the same way.
      bedrock.message(new JsonObject().put("inputTokens", 42));
      HttpResponse<String> counted = gateway.post("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/count-tokens",
          "{\"input\":{}}");
      assertEquals(42, new JsonObject(counted.body()).getInteger("inputTokens"), counted.body());
      assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/count-tokens", bedrock.upstream().last().path());
      // An inference profile ARN as model id: its ':' and '/' arrive percent-encoded and are passed on as sent.
      String arn = "/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aapplication-inference-profile%2Fabc1"
          + "/invoke";
      bedrock.message(new JsonObject().put("type", "message"));
      assertEquals(200, gateway.post(arn, "{}").statusCode());
      assertEquals(arn, bedrock.upstream().last().path());
      assertEquals(List.of(), bedrock.signatureFailures());
      String line = access.awaitLine("bedrock-mode-1", Duration.ofSeconds(5));
      assertTrue(line.contains("backend=aws") && line.contains("prompt_tokens=12")
          && line.contains("completion_tokens=5") && line.contains("model=" + MODEL), line);
    }
    JsonObject health = new JsonObject(gateway.get("/health/bedrock").body());
    JsonObject aws = health.getJsonArray("backends").getJsonObject(0);
    assertEquals("us-west-2", aws.getString("region"));
    assertEquals("static keys", aws.getString("credentials"));
    assertEquals(7, aws.getLong("frames_decoded"));
    assertEquals(0, aws.getLong("decode_errors"));
    assertEquals("aws", health.getString("passthrough"));
  }

  /**
   * A client that signed its request itself (Claude Code without {@code CLAUDE_CODE_SKIP_BEDROCK_AUTH}, or an
   * SDK pointed at the proxy) sends its own AWS session token, date and signature. The proxy signs with the
   * backend's credentials, which here have no session token: not one of the client's AWS headers may reach
   * Bedrock, in Claude Code's mode or on an alias route.
   */
  @Test
  void aClientsOwnAwsHeadersNeverReachBedrock() {
    String[] clientAws = {
        "authorization", "AWS4-HMAC-SHA256 Credential=ASIACLIENT/20240101/us-west-2/bedrock/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=00ff",
        "x-amz-security-token", "client-session-token-must-not-leak",
        "x-amz-date", "20240101T000000Z",
        "x-amz-content-sha256", "UNSIGNED-PAYLOAD",
        "x-amz-user-agent", "client-sdk/1.0",
        "X-Amz-Target", "client.Target"};
    bedrock.message(new JsonObject().put("type", "message"));
    List<String> calls = List.of("/model/" + MODEL.replace(":", "%3A") + "/invoke", "/v1/messages");
    for (String path : calls) {
      String[] headers = path.startsWith("/v1") ? concat(clientAws, "anthropic-version", "2023-06-01") : clientAws;
      HttpResponse<String> response = gateway.post(path, path.startsWith("/v1") ? MESSAGES.formatted(false)
          : "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8,\"messages\":[]}", headers);
      assertEquals(200, response.statusCode(), path + ": " + response.body());
      MockUpstream.Received received = bedrock.upstream().last();
      assertEquals(List.of(), bedrock.signatureFailures(), path);
      assertEquals(null, received.header("x-amz-security-token"), path);
      assertEquals(null, received.header("x-amz-user-agent"), path);
      assertEquals(null, received.header("x-amz-target"), path);
      assertNotEquals("20240101T000000Z", received.header("x-amz-date"), path);
      assertNotEquals("UNSIGNED-PAYLOAD", received.header("x-amz-content-sha256"), path);
      assertTrue(received.header("authorization").contains("Credential=" + KEY_ID + "/"), path);
      assertFalse(received.headers().toString().contains("ASIACLIENT"), path + ": " + received.headers());
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aFrameWithABadChecksumEndsTheStreamWithAnErrorAndIsCounted() {
    bedrock.stream(MockBedrock.corruptFrame(MockBedrock.chunks(MockBedrock.helloWorldEvents()), 3), 64);
    HttpResponse<String> routed = gateway.post("/v1/messages", MESSAGES.formatted(true),
        "anthropic-version", "2023-06-01");
    assertEquals(200, routed.statusCode());  // content had reached the client: the failure is in the stream
    assertTrue(routed.body().contains("\"text\":\"Hello\""), routed.body());
    assertFalse(routed.body().contains(" world"), routed.body());
    assertTrue(routed.body().contains("event: error") && routed.body().contains("stream interrupted"), routed.body());
    assertFalse(routed.body().contains("message_stop"), routed.body());
    // Mid-stream recovery judged the break like a failed attempt: retried once on the route (retry_same_route)
    // with the continuation in Bedrock's format, whose stream broke the same way; no other route, so it ends.
    assertTrue(routed.body().contains("no route could continue it"), routed.body());
    assertEquals(2, bedrock.upstream().count());
    JsonArray continued = bedrock.upstream().last().json().getJsonArray("messages");
    assertEquals(new JsonObject().put("role", "assistant").put("content", "Hello"),
        continued.getJsonObject(continued.size() - 1));

    // Claude Code's mode relays the bytes as they are (its own decoder will refuse the frame); the copy counts it.
    Buffer corrupt = MockBedrock.corruptFrame(MockBedrock.chunks(MockBedrock.helloWorldEvents()), 3);
    bedrock.stream(corrupt, 64);
    HttpResponse<byte[]> raw = gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl()
            + "/model/" + MODEL.replace(":", "%3A") + "/invoke-with-response-stream"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertArrayEquals(corrupt.getBytes(), raw.body());
    JsonObject aws = new JsonObject(gateway.get("/health/bedrock").body()).getJsonArray("backends").getJsonObject(0);
    assertEquals(3, aws.getLong("decode_errors"), "the routed stream, its continuation, the passed-through copy");
    assertTrue(aws.getString("last_error").contains("eventstream frame rejected"), aws.encode());
  }

  @Test
  void aThrottlingExceptionBeforeContentFallsBackToTheNextRoute() {
    bedrock.stream(MockBedrock.exception("throttlingException", "Too many requests, please wait"), 64);
    HttpResponse<String> response = gateway.post("/v1/messages",
        MESSAGES.formatted(true).replace("\"claude\"", "\"claude-safe\""), "anthropic-version", "2023-06-01");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("local", response.headers().firstValue("x-llm-proxy-backend").orElse(null));
    assertTrue(response.body().contains("event: message_stop"), response.body());
    // A detected error like any provider's: retried once on the route (fallback.retry_same_route), then the next.
    assertEquals(2, bedrock.upstream().count());
  }

  @Test
  void bedrockErrorsReachAnAnthropicClientInAnthropicShape() {
    bedrock.error(400, "ValidationException", "max_tokens: Input should be less than 4097");
    HttpResponse<String> response = gateway.post("/v1/messages", MESSAGES.formatted(false),
        "anthropic-version", "2023-06-01");
    assertEquals(400, response.statusCode(), response.body());  // not a detected error: the client's mistake
    JsonObject error = new JsonObject(response.body());
    assertEquals("error", error.getString("type"));
    assertEquals("invalid_request_error", error.getJsonObject("error").getString("type"));
    assertEquals("Bedrock ValidationException: max_tokens: Input should be less than 4097",
        error.getJsonObject("error").getString("message"));
  }

  @Test
  void credentialsThatCannotBeResolvedFailTheRouteClearlyAndTheNextOneServes() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        backends:
          - {name: aws, type: bedrock, region: us-west-2, url: "%s", profile: no-such-profile-llm-proxy-test}
          - {name: local, type: echo}
        passthrough: {bedrock: aws}
        models:
          claude-safe: [{backend: aws, model: m, priority: 1}, {backend: local, model: echo, priority: 2}]
        """.formatted(bedrock.url()));
    HttpResponse<String> routed = gateway.post("/v1/messages",
        MESSAGES.formatted(false).replace("\"claude\"", "\"claude-safe\""), "anthropic-version", "2023-06-01");
    assertEquals(200, routed.statusCode(), routed.body());
    assertEquals("local", routed.headers().firstValue("x-llm-proxy-backend").orElse(null));
    HttpResponse<String> raw = gateway.post("/model/m/invoke", "{}");
    assertEquals(502, raw.statusCode());
    assertTrue(raw.body().contains("request could not be signed: backend \\\"aws\\\" (profile no-such-profile"),
        raw.body());
    assertEquals(0, bedrock.upstream().count());
    JsonObject aws = new JsonObject(gateway.get("/health/bedrock").body()).getJsonArray("backends").getJsonObject(0);
    assertEquals(2, aws.getLong("signing_errors"));
  }

  @Test
  void healthShowsTheEndpointWithoutTheCredentialsItsUrlMayCarry() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        backends:
          - {name: aws, type: bedrock, region: us-west-2, url: "https://vpce-user:vpce-secret-99@vpce.example/x"}
        models: {claude: [{backend: aws, model: m}]}
        """);
    String health = gateway.get("/health/bedrock").body();  // unauthenticated, like every health check
    assertFalse(health.contains("vpce-secret-99") || health.contains("vpce-user"), health);
    assertTrue(health.contains("https://****@vpce.example/x"), health);
  }

  @Test
  void bedrockModeWithoutAPassthroughBackendIsA404InAnthropicShape() {
    gateway.rewriteConfig("""
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models: {claude: [{backend: local, model: echo}]}
        """);
    HttpResponse<String> response = gateway.post("/model/x/invoke", "{}");
    assertEquals(404, response.statusCode());
    assertEquals(404, gateway.post("/model/x/delete-everything", "{}").statusCode());
    assertTrue(response.body().contains("passthrough.bedrock"), response.body());
    assertEquals(0, bedrock.upstream().count());
  }
}
