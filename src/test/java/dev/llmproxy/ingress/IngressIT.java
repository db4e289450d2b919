package dev.llmproxy.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client-facing surface: auth, input validation, error shapes per protocol, trace ids, model listing. */
@ExtendWith(VertxExtension.class)
class IngressIT {

  private MockUpstream upstream;
  private GatewayHarness gateway;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up");
    gateway = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy_api_key: proxy-secret
        client_keys: {team-b: key-team-b-0123456789}
        proxy: {max_body_bytes: 2000}
        backends:
          - {name: oa, url: "%s", api_key: sk-upstream}
          - {name: an, url: "%s", api_key: sk-ant-upstream, protocol: anthropic}
        models:
          gpt: [{backend: oa, model: real-gpt}]
          claude: [{backend: an, model: real-claude}]
        """.formatted(upstream.url(), upstream.url()));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static JsonObject json(HttpResponse<String> r) {
    return new JsonObject(r.body());
  }

  @Test
  void missingOrWrongKeyIs401InTheClientsProtocol() {
    HttpResponse<String> openAi = gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt", false));
    assertEquals(401, openAi.statusCode());
    assertEquals("invalid_api_key", json(openAi).getJsonObject("error").getString("code"));

    HttpResponse<String> anthropic = gateway.post("/v1/messages", GatewayHarness.chat("claude", false),
        "x-api-key", "proxy-secreT");
    assertEquals(401, anthropic.statusCode());
    assertEquals("error", json(anthropic).getString("type"));
    assertEquals("authentication_error", json(anthropic).getJsonObject("error").getString("type"));
    assertEquals(0, upstream.count(), "nothing reaches the upstream without the key");
  }

  @Test
  void bearerAndXApiKeyBothAuthenticate() {
    assertEquals(200, gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt", false),
        "Authorization", "Bearer proxy-secret").statusCode());
    assertEquals(200, gateway.post("/v1/messages", GatewayHarness.chat("claude", false),
        "x-api-key", "proxy-secret").statusCode());
  }

  @Test
  void healthIsOpenButModelsNeedTheKey() {
    HttpResponse<String> health = gateway.get("/health");
    assertEquals(200, health.statusCode());
    assertEquals("ok", json(health).getString("status"));
    assertEquals(401, gateway.get("/v1/models").statusCode());
    HttpResponse<String> models = gateway.get("/v1/models", "Authorization", "Bearer proxy-secret");
    assertEquals(200, models.statusCode());
    assertEquals("list", json(models).getString("object"));
    assertEquals("gpt", json(models).getJsonArray("data").getJsonObject(0).getString("id"));
    assertEquals(2, json(models).getJsonArray("data").size());
  }

  @Test
  void malformedJsonIs400() {
    HttpResponse<String> r = gateway.post("/v1/chat/completions", "{\"model\": ", "Authorization", "Bearer proxy-secret");
    assertEquals(400, r.statusCode());
    assertEquals("invalid_json", json(r).getJsonObject("error").getString("code"));
    HttpResponse<String> array = gateway.post("/v1/chat/completions", "[1,2]", "Authorization", "Bearer proxy-secret");
    assertEquals(400, array.statusCode());
  }

  /** What the body scan refuses is a 400 in the client's protocol saying why: the decoder's words, or the scan's. */
  @Test
  void bodiesThatAreNotUtf8JsonAre400SayingWhy() {
    String chat = GatewayHarness.chat("gpt", false);
    HttpResponse<String> utf16 = postBytes("/v1/chat/completions", chat.getBytes(StandardCharsets.UTF_16LE));
    assertEquals(400, utf16.statusCode());
    assertEquals("invalid_json", json(utf16).getJsonObject("error").getString("code"));
    assertTrue(json(utf16).getJsonObject("error").getString("message").contains("must be UTF-8"), utf16.body());

    byte[] badByte = "{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"h?\"}]}"
        .getBytes(StandardCharsets.UTF_8);
    badByte[badByte.length - 5] = (byte) 0xF8;  // the '?': never a byte of UTF-8
    HttpResponse<String> invalid = postBytes("/v1/messages", badByte);
    assertEquals(400, invalid.statusCode());
    assertEquals("invalid_request_error", json(invalid).getJsonObject("error").getString("type"));
    assertTrue(json(invalid).getJsonObject("error").getString("message").contains("Invalid UTF-8"), invalid.body());
    assertEquals(0, upstream.count());
  }

  private HttpResponse<String> postBytes(String path, byte[] body) {
    return gateway.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer proxy-secret")
        .header("x-api-key", "proxy-secret")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void missingModelIs400NamingTheParameter() {
    HttpResponse<String> r = gateway.post("/v1/chat/completions", "{\"messages\":[]}", "Authorization", "Bearer proxy-secret");
    assertEquals(400, r.statusCode());
    assertEquals("model", json(r).getJsonObject("error").getString("param"));
  }

  @Test
  void oversizedBodyIs413AndNeverReachesUpstream() {
    String big = "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}";
    HttpResponse<String> r = gateway.post("/v1/chat/completions", big, "Authorization", "Bearer proxy-secret");
    assertEquals(413, r.statusCode());
    assertEquals("request_too_large", json(r).getJsonObject("error").getString("code"));
    HttpResponse<String> anthropic = gateway.post("/v1/messages", big.replace("gpt", "claude"), "x-api-key", "proxy-secret");
    assertEquals(413, anthropic.statusCode());
    assertEquals("request_too_large", json(anthropic).getJsonObject("error").getString("type"));
    assertEquals(0, upstream.count());
  }

  @Test
  void unknownAliasIs404ModelNotFoundInEachShape() {
    HttpResponse<String> openAi = gateway.post("/v1/chat/completions", GatewayHarness.chat("nope", false),
        "Authorization", "Bearer proxy-secret");
    assertEquals(404, openAi.statusCode());
    assertEquals("model_not_found", json(openAi).getJsonObject("error").getString("code"));
    HttpResponse<String> anthropic = gateway.post("/v1/messages", GatewayHarness.chat("nope", false),
        "x-api-key", "proxy-secret");
    assertEquals(404, anthropic.statusCode());
    assertEquals("not_found_error", json(anthropic).getJsonObject("error").getString("type"));
  }

  @Test
  void unknownPathAndWrongMethodAreJsonErrors() {
    HttpResponse<String> unknown = gateway.post("/v1/nothing", "{}");
    assertEquals(404, unknown.statusCode());
    assertNotNull(json(unknown).getJsonObject("error"));
    HttpResponse<String> wrongMethod = gateway.get("/v1/chat/completions");
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("method_not_allowed", json(wrongMethod).getJsonObject("error").getString("code"));
    assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
    HttpResponse<String> anthropic = gateway.get("/v1/messages");
    assertEquals(405, anthropic.statusCode());
    assertEquals("invalid_request_error", json(anthropic).getJsonObject("error").getString("type"));
  }

  @Test
  void aPathTheRouterCannotDecodeIs400Json() {
    // The JDK client refuses to send such a URL: a raw socket does.
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String r = raw.send("GET /v1/models/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer proxy-secret\r\n\r\n")
          .readResponse(Duration.ofSeconds(10));
      assertTrue(r.startsWith("HTTP/1.1 400 "), r);
      assertTrue(r.contains("X-Trace-ID: "), r);
      assertEquals("invalid_request_error",
          new JsonObject(RawHttp.body(r)).getJsonObject("error").getString("type"));
    }
  }

  @Test
  void oneModelCanBeRetrievedAsTheOpenAiSdkDoes() {
    assertEquals(401, gateway.get("/v1/models/gpt").statusCode());
    HttpResponse<String> gpt = gateway.get("/v1/models/gpt", "Authorization", "Bearer proxy-secret");
    assertEquals(200, gpt.statusCode(), gpt.body());
    assertEquals("gpt", json(gpt).getString("id"));
    assertEquals("model", json(gpt).getString("object"));
    assertEquals("llm-proxy", json(gpt).getString("owned_by"));
    assertEquals(200, gateway.get("/models/claude", "Authorization", "Bearer proxy-secret").statusCode());
    HttpResponse<String> unknown = gateway.get("/v1/models/nope", "Authorization", "Bearer proxy-secret");
    assertEquals(404, unknown.statusCode());
    assertEquals("model_not_found", json(unknown).getJsonObject("error").getString("code"));
  }

  @Test
  void aNamedClientKeyReadsTheModelsLikeTheProxyKey() {
    HttpResponse<String> list = gateway.get("/v1/models", "Authorization", "Bearer key-team-b-0123456789");
    assertEquals(200, list.statusCode(), list.body());
    HttpResponse<String> one = gateway.get("/v1/models/gpt", "x-api-key", "key-team-b-0123456789");
    assertEquals(200, one.statusCode(), one.body());
    assertEquals("gpt", json(one).getString("id"));
    assertEquals(401, gateway.get("/v1/models/gpt", "x-api-key", "key-team-b-012345678").statusCode());
  }

  @Test
  void traceIdIsEchoedOrGeneratedAndForwarded() {
    HttpResponse<String> given = gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt", false),
        "Authorization", "Bearer proxy-secret", "X-Trace-ID", "trace-abc.123");
    assertEquals("trace-abc.123", given.headers().firstValue("X-Trace-ID").orElseThrow());
    assertEquals("trace-abc.123", upstream.last().header("X-Trace-ID"));

    HttpResponse<String> generated = gateway.post("/v1/chat/completions", "{bad", "Authorization", "Bearer proxy-secret");
    assertTrue(generated.headers().firstValue("X-Trace-ID").orElseThrow().matches("[0-9a-f]{32}"),
        "errors carry a trace id too");
    HttpResponse<String> hostile = gateway.post("/v1/chat/completions", GatewayHarness.chat("gpt", false),
        "Authorization", "Bearer proxy-secret", "X-Trace-ID", "a b\tc");
    assertTrue(hostile.headers().firstValue("X-Trace-ID").orElseThrow().matches("[0-9a-f]{32}"),
        "an unsafe client trace id is replaced");
  }

  @Test
  void pathsWithoutV1AreServedToo() {
    assertEquals(200, gateway.post("/chat/completions", GatewayHarness.chat("gpt", false),
        "Authorization", "Bearer proxy-secret").statusCode());
    assertEquals("/v1/chat/completions", upstream.last().path());
  }
}
