package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockBedrock;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Capture of what client integration serves, through the port: the transparent mode (the divert of a modelled
 * path and the catch-all of every other {@code /v1} path, with the clients' own keys), the routed Responses API,
 * Bedrock (an alias route, and Claude Code's Bedrock mode whose eventstream frames reach the client unchanged),
 * and routing rules with named client keys. One record per request, the answer reassembled as the client got it,
 * and no key of any kind — the clients' own and AWS credentials included — in any file or row.
 */
class CaptureClientsIT {

  /** Not shaped like a provider key: only masking the request's own credentials can find it. */
  static final String CLIENT_OPENAI_KEY = "client-own-openai-key-Qw3rTy9";
  static final String CLIENT_ANTHROPIC_KEY = "client-own-anthropic-key-As4dF7";
  static final String KEY_ID = "AKIAMOCKCAPTURE12345";
  static final String SECRET = "mockCaptureSecret/For+Tests/0123456789abcd";
  static final String SESSION_TOKEN = "mockCaptureSessionToken0123456789xyz";
  /** Claude Code signing with the user's own AWS credentials (no CLAUDE_CODE_SKIP_BEDROCK_AUTH). */
  static final String CLIENT_KEY_ID = "AKIACLIENTSIGNED0001";
  static final String CLIENT_SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  static final String CLIENT_SESSION_TOKEN = "client-aws-session-token-0123456789";
  static final String ADMIN_KEY = "proxy-admin-key-0123456789";
  static final String TEAM_A_KEY = "team-a-key-0123456789abcdef";
  static final String TEAM_B_KEY = "team-b-key-0123456789abcdef";
  static final List<String> SECRETS = List.of(CLIENT_OPENAI_KEY, CLIENT_ANTHROPIC_KEY, KEY_ID, SECRET, SESSION_TOKEN,
      CLIENT_KEY_ID, CLIENT_SIGNATURE, CLIENT_SESSION_TOKEN, TEAM_A_KEY, TEAM_B_KEY);
  static final String MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
  static final String BEDROCK_STREAM_PATH = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0"
      + "/invoke-with-response-stream";

  private Vertx vertx;
  private MockUpstream openai;
  private MockUpstream anthropic;
  private MockBedrock bedrock;
  private GatewayHarness gw;
  private CaptureRecords records;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    openai = MockUpstream.start(vertx, "openai");
    anthropic = MockUpstream.start(vertx, "anthropic");
    bedrock = MockBedrock.start(vertx, "us-west-2", KEY_ID, SECRET);
  }

  @AfterEach
  void stop() {
    if (records != null) {
      records.close();
    }
    if (gw != null) {
      gw.close();
    }
    openai.close();
    anthropic.close();
    bedrock.close();
    vertx.close().await();
  }

  private void startGateway(String yaml) {
    gw = GatewayHarness.start(vertx, yaml);
    records = CaptureRecords.listen(gw.gateway().vertx());
  }

  /**
   * The config {@code --setup} installs (src/main/resources/install/config.yaml), pointed at the mock providers,
   * capturing into the test's directory: the transparent mode as users run it.
   */
  private String setupConfig() throws IOException {
    String template;
    try (InputStream in = getClass().getResourceAsStream("/install/config.yaml")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String yaml = template.replace("listen: \"127.0.0.1:8765\"", "listen: \"127.0.0.1:0\"")
        .replace("https://api.openai.com/v1", openai.url())
        .replace("https://api.anthropic.com/v1", anthropic.url())
        .replace("@CAPTURE_DIR@", "data")
        .replace("@CAPTURE_STORE@", "data/requests.db");
    assertTrue(yaml.contains(openai.url()) && yaml.contains(anthropic.url()) && yaml.contains("capture:"), yaml);
    return yaml;
  }

  /** The transparent mode plus Bedrock (alias route and Bedrock mode), a routed Responses alias, a rule. */
  private String clientsConfig() {
    return """
        listen: "127.0.0.1:0"
        backends:
          - {name: openai, url: "%s", protocol: openai, credentials: client}
          - {name: anthropic, url: "%s", protocol: anthropic, credentials: client}
          - name: aws
            type: bedrock
            region: us-west-2
            url: "%s"
            access_key_id: %s
            secret_access_key: "%s"
            session_token: "%s"
        passthrough: {openai: openai, anthropic: anthropic, bedrock: aws}
        models:
          codex: {routes: [{backend: openai, model: gpt-5-codex}], system_prompt: "Answer in one line."}
          claude-aws: [{backend: aws, model: "%s"}]
        routing_rules:
          - name: reviewers-on-bedrock
            match: {system_prompt: "/You are a code reviewer/"}
            set_model: claude-aws
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
        """.formatted(openai.url(), anthropic.url(), bedrock.url(), KEY_ID, SECRET, SESSION_TOKEN, MODEL);
  }

  private Map<String, JsonObject> recordsByTrace(int n) throws InterruptedException {
    records.await(n, Duration.ofSeconds(20));
    List<JsonObject> lines = CaptureRecords.dataset(gw.dir().resolve("data"));
    assertEquals(n, lines.size(), "exactly one line per request: " + lines);
    Map<String, JsonObject> byTrace = lines.stream()
        .collect(Collectors.toMap(l -> l.getString("trace_id"), Function.identity()));
    assertEquals(n, byTrace.size(), "one record per trace id");
    return byTrace;
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return gw.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The text a Responses API client assembles from the stream it received. */
  static String responsesText(String stream) {
    StringBuilder out = new StringBuilder();
    for (String line : stream.split("\n")) {
      if (line.startsWith("data: ")) {
        JsonObject event = new JsonObject(line.substring(6));
        if ("response.output_text.delta".equals(event.getString("type"))) {
          out.append(event.getString("delta"));
        }
      }
    }
    return out.toString();
  }

  @Test
  void theSetupConfigCapturesEveryPassedThroughPathOnceWithTheClientsKeysMasked() throws Exception {
    startGateway(setupConfig());
    // A provider that repeats the client's key in a successful answer (the relay masks only error answers), where
    // no pattern finds it: only the request's own credentials, masked literally, can.
    openai.next(
        (req, body, up) -> MockUpstream.chat("you sent " + req.getHeader("authorization").substring(7))
            .send(req, body, up),
        MockUpstream.sse(MockUpstream.openAiStream("gpt-4o-mini", "Passed", " through", "."), Duration.ZERO, true),
        ResponsesApi.stream("text.sse", Duration.ZERO),
        MockUpstream.json(200, new JsonObject().put("object", "list").put("data", new JsonArray())));
    anthropic.next(MockUpstream.status(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
        + "\"message\":\"invalid x-api-key " + CLIENT_ANTHROPIC_KEY + "\"}}"));
    String bearer = "Bearer " + CLIENT_OPENAI_KEY;

    HttpResponse<String> chat = send("POST", "/v1/chat/completions",
        CaptureIT.chat("gpt-4o-mini", false, "hello"), "authorization", bearer, "content-type",
        "application/json", "x-trace-id", "t-chat");
    HttpResponse<String> stream = send("POST", "/v1/chat/completions",
        CaptureIT.chat("gpt-4o-mini", true, "stream it"), "authorization", bearer, "content-type",
        "application/json", "x-trace-id", "t-chat-stream");
    HttpResponse<String> responses = send("POST", "/v1/responses?include=usage",
        ResponsesApi.request("gpt-5-codex", true, "hi"), "authorization", bearer, "content-type",
        "application/json", "x-trace-id", "t-responses");
    HttpResponse<String> models = send("GET", "/v1/models", null, "authorization", bearer, "x-trace-id", "t-models");
    HttpResponse<String> refused = send("POST", "/v1/messages", CaptureIT.messages("claude-sonnet-4-5", false, "hi"),
        "x-api-key", CLIENT_ANTHROPIC_KEY, "anthropic-version", "2023-06-01", "content-type", "application/json",
        "x-trace-id", "t-anthropic");
    assertEquals(200, chat.statusCode(), chat.body());
    assertEquals(200, stream.statusCode());
    assertEquals(200, responses.statusCode());
    assertEquals(200, models.statusCode());
    assertEquals(401, refused.statusCode());
    assertEquals(bearer, openai.last().header("authorization"), "the client's own key reached the provider");

    Map<String, JsonObject> byTrace = recordsByTrace(5);
    byTrace.values().forEach(r -> {
      assertTrue(r.getBoolean("passthrough"), r.encode());
      assertNull(r.getString("routing_rule"));
      assertNull(r.getString("client_key"), "no proxy key in the transparent mode");
    });
    JsonObject plain = byTrace.get("t-chat");
    assertEquals("/chat/completions", plain.getString("endpoint"));
    assertEquals("openai", plain.getString("backend"));
    assertEquals("gpt-4o-mini", plain.getString("alias"));
    assertEquals("you sent ****", plain.getJsonObject("response").getString("text"));
    assertEquals("****", plain.getJsonObject("request").getJsonObject("headers").getString("authorization"));
    assertEquals("hello", plain.getJsonObject("request").getJsonObject("body").getJsonArray("messages")
        .getJsonObject(0).getString("content"), "the client's body, as passed on");

    JsonObject streamed = byTrace.get("t-chat-stream");
    assertTrue(streamed.getBoolean("stream"));
    assertEquals("Passed through.", CaptureIT.clientText(stream.body().lines().toList()));
    assertEquals(CaptureIT.clientText(stream.body().lines().toList()),
        streamed.getJsonObject("response").getString("text"));

    JsonObject response = byTrace.get("t-responses");
    assertEquals("/responses", response.getString("endpoint"));
    assertEquals(ResponsesApi.TEXT, responsesText(responses.body()));
    assertEquals(responsesText(responses.body()), response.getJsonObject("response").getString("text"));
    JsonObject reassembled = response.getJsonObject("response").getJsonObject("message");
    assertEquals("response", reassembled.getString("object"));
    assertEquals("completed", reassembled.getString("status"));

    JsonObject list = byTrace.get("t-models");
    assertEquals("GET", list.getString("method"));
    assertEquals("/models", list.getString("endpoint"), "the catch-all's own path");
    assertEquals(new JsonObject().put("object", "list").put("data", new JsonArray()),
        list.getJsonObject("response").getJsonObject("body"));

    JsonObject error = byTrace.get("t-anthropic");
    assertEquals("anthropic", error.getString("backend"));
    assertEquals(401, error.getInteger("status"));
    assertEquals("****", error.getJsonObject("request").getJsonObject("headers").getString("x-api-key"));

    assertNothingWrittenHolds(SECRETS);
  }

  @Test
  void aRoutedResponsesStreamIsReassembledAndItsRecordedSystemPromptIncludesInstructions() throws Exception {
    startGateway(clientsConfig());
    openai.always(ResponsesApi.stream("text.sse", Duration.ZERO));
    String body = new JsonObject().put("model", "codex").put("stream", true).put("instructions", "Be terse.")
        .put("input", new JsonArray().add(new JsonObject().put("role", "user").put("content", "say hi"))).encode();
    HttpResponse<String> r = send("POST", "/v1/responses", body, "authorization", "Bearer " + CLIENT_OPENAI_KEY,
        "content-type", "application/json", "x-trace-id", "t-routed-responses");
    assertEquals(200, r.statusCode(), r.body());

    JsonObject record = recordsByTrace(1).get("t-routed-responses");
    assertFalse(record.getBoolean("passthrough"));
    assertEquals("codex", record.getString("alias"));
    assertEquals("gpt-5-codex", record.getString("model"));
    assertEquals("/responses", record.getString("endpoint"));
    String sentInstructions = openai.last().json().getString("instructions");
    assertTrue(sentInstructions.contains("Be terse.") && sentInstructions.contains("Answer in one line."),
        sentInstructions);
    JsonObject request = record.getJsonObject("request");
    assertEquals(sentInstructions, request.getJsonObject("body").getString("instructions"), "the body as sent");
    assertEquals(sentInstructions, request.getString("system_prompt"), "the system prompt actually sent");
    assertEquals(ResponsesApi.TEXT, responsesText(r.body()));
    assertEquals(responsesText(r.body()), record.getJsonObject("response").getString("text"));
    JsonObject message = record.getJsonObject("response").getJsonObject("message");
    assertEquals("completed", message.getString("status"));
    assertEquals(ResponsesApi.TEXT, message.getJsonArray("output").getJsonObject(0).getJsonArray("content")
        .getJsonObject(0).getString("text"));
    assertTrue(record.getJsonObject("usage").getInteger("prompt_tokens") > 0, record.encode());
  }

  @Test
  void bedrockStreamsAreRecordedReassembledWhetherDecodedForTheClientOrPassedOnAsFrames() throws Exception {
    startGateway(clientsConfig());
    Buffer frames = MockBedrock.chunks(MockBedrock.helloWorldEvents());
    bedrock.stream(frames, 9);

    // An alias route, chosen by a rule: the eventstream is decoded into SSE for the Anthropic client.
    String review = new JsonObject().put("model", "claude-sonnet-4-5").put("max_tokens", 64).put("stream", true)
        .put("system", "You are a code reviewer.").put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "review this"))).encode();
    HttpResponse<String> routed = send("POST", "/v1/messages", review, "x-api-key", CLIENT_ANTHROPIC_KEY,
        "anthropic-version", "2023-06-01", "content-type", "application/json", "x-trace-id", "t-alias-route");
    assertEquals(200, routed.statusCode(), routed.body());

    // Claude Code's Bedrock mode, signing with its own credentials: the frames reach it unchanged.
    String invoke = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    HttpResponse<byte[]> mode = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + BEDROCK_STREAM_PATH))
        .header("content-type", "application/json").header("x-trace-id", "t-bedrock-mode")
        .header("x-amz-date", "20261130T120000Z").header("x-amz-security-token", CLIENT_SESSION_TOKEN)
        .header("authorization", "AWS4-HMAC-SHA256 Credential=" + CLIENT_KEY_ID
            + "/20261130/us-west-2/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + CLIENT_SIGNATURE)
        .POST(HttpRequest.BodyPublishers.ofString(invoke)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, mode.statusCode());
    assertArrayEquals(frames.getBytes(), mode.body(), "byte for byte");
    assertEquals(List.of(), bedrock.signatureFailures(), "signed with the backend's credentials, not the client's");
    MockUpstream.Received signed = bedrock.upstream().last();
    assertEquals(SESSION_TOKEN, signed.header("x-amz-security-token"), "the backend's session, not the client's");
    assertFalse(signed.header("x-amz-date").equals("20261130T120000Z"), "dated by the proxy's signature");

    // A Bedrock exception inside the stream, after the text began.
    List<String> cut = new ArrayList<>(MockBedrock.helloWorldEvents().subList(0, 3));
    bedrock.stream(MockBedrock.chunks(cut).appendBuffer(MockBedrock.exception("throttlingException",
        "Too many tokens, please wait.")), 64);
    HttpResponse<byte[]> broken = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + BEDROCK_STREAM_PATH))
        .header("content-type", "application/json").header("x-trace-id", "t-bedrock-exception")
        .POST(HttpRequest.BodyPublishers.ofString(invoke)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, broken.statusCode());

    // Bedrock refusing the signature, as it names the access key id it was given.
    bedrock.error(403, "UnrecognizedClientException", "The security token included in the request is invalid "
        + "for access key " + KEY_ID);
    HttpResponse<String> denied = send("POST", BEDROCK_STREAM_PATH, invoke, "content-type", "application/json",
        "x-trace-id", "t-bedrock-denied");
    assertEquals(403, denied.statusCode());

    Map<String, JsonObject> byTrace = recordsByTrace(4);
    JsonObject alias = byTrace.get("t-alias-route");
    assertEquals("reviewers-on-bedrock", alias.getString("routing_rule"));
    assertEquals("claude-aws", alias.getString("alias"));
    assertEquals("aws", alias.getString("backend"));
    assertEquals(MODEL, alias.getString("model"));
    assertEquals("You are a code reviewer.", alias.getJsonObject("request").getString("system_prompt"));
    assertEquals("Hello world", CaptureIT.clientText(routed.body().lines().toList()));
    assertEquals("Hello world", alias.getJsonObject("response").getString("text"));

    JsonObject frameStream = byTrace.get("t-bedrock-mode");
    assertTrue(frameStream.getBoolean("passthrough"));
    assertTrue(frameStream.getBoolean("stream"));
    assertEquals("aws", frameStream.getString("backend"));
    assertEquals(BEDROCK_STREAM_PATH, frameStream.getString("endpoint"));
    assertEquals(BEDROCK_STREAM_PATH, frameStream.getString("path"));
    JsonObject message = frameStream.getJsonObject("response").getJsonObject("message");
    assertEquals("Hello world", frameStream.getJsonObject("response").getString("text"),
        "reassembled from the decoded frames: the text Claude Code showed");
    assertEquals("end_turn", message.getString("stop_reason"));
    assertEquals("msg_bdrk_1", message.getString("id"));
    assertEquals(12, frameStream.getJsonObject("usage").getInteger("prompt_tokens"));
    assertEquals(5, frameStream.getJsonObject("usage").getInteger("completion_tokens"));
    assertEquals("hello", frameStream.getJsonObject("request").getJsonObject("body").getJsonArray("messages")
        .getJsonObject(0).getString("content"));
    JsonObject headers = frameStream.getJsonObject("request").getJsonObject("headers");
    assertEquals("****", headers.getString("authorization"));
    assertEquals("****", headers.getString("x-amz-security-token"));

    JsonObject cutShort = byTrace.get("t-bedrock-exception");
    JsonObject partial = cutShort.getJsonObject("response").getJsonObject("message");
    assertEquals("Hello", cutShort.getJsonObject("response").getString("text"), "what arrived before the exception");
    assertEquals("rate_limit_error", partial.getJsonObject("error").getString("type"), partial.encode());

    JsonObject refusedRecord = byTrace.get("t-bedrock-denied");
    assertEquals(403, refusedRecord.getInteger("status"));
    assertTrue(refusedRecord.getJsonObject("response").getJsonObject("body").getString("message")
        .endsWith("for access key ****"), refusedRecord.encode());

    assertNothingWrittenHolds(SECRETS);
  }

  @Test
  void theRoutingRuleThatChoseTheAliasAndTheClientKeysNameAreInTheRecord() throws Exception {
    startGateway("""
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        client_keys: {team-a: "%s", team-b: "%s"}
        backends:
          - {name: openai, url: "%s", protocol: openai, api_key: sk-backend-openai-0123456789}
        models:
          default: [{backend: openai, model: gpt-4o-mini}]
          cheap: [{backend: openai, model: gpt-4o-nano}]
        routing_rules:
          - name: team-b-cheap
            match: {client_key: team-b}
            set_model: cheap
        capture: {directory: data, store: {type: sqlite, path: data/requests.db}}
        """.formatted(ADMIN_KEY, TEAM_A_KEY, TEAM_B_KEY, openai.url()));
    openai.always(MockUpstream.chat("fine"));
    assertEquals(200, send("POST", "/v1/chat/completions", CaptureIT.chat("default", false, "a"), "authorization",
        "Bearer " + TEAM_A_KEY, "content-type", "application/json", "x-trace-id", "t-team-a").statusCode());
    assertEquals(200, send("POST", "/v1/chat/completions", CaptureIT.chat("default", false, "b"), "x-api-key",
        TEAM_B_KEY, "content-type", "application/json", "x-trace-id", "t-team-b").statusCode());
    assertEquals("gpt-4o-nano", openai.last().json().getString("model"), "the rule chose cheap");

    Map<String, JsonObject> byTrace = recordsByTrace(2);
    JsonObject a = byTrace.get("t-team-a");
    assertEquals("team-a", a.getString("client_key"));
    assertNull(a.getString("routing_rule"), "no rule matched");
    assertEquals("default", a.getString("alias"));
    JsonObject b = byTrace.get("t-team-b");
    assertEquals("team-b", b.getString("client_key"));
    assertEquals("team-b-cheap", b.getString("routing_rule"));
    assertEquals("cheap", b.getString("alias"));
    assertEquals("gpt-4o-nano", b.getString("model"));
    assertFalse(b.getBoolean("passthrough"));
    JsonObject listed = new JsonObject(gw.get("/admin/requests/" + b.getString("id"), "authorization",
        "Bearer " + ADMIN_KEY).body());
    assertEquals("team-b-cheap", listed.getString("routing_rule"), "the store keeps the whole record");

    assertNothingWrittenHolds(List.of(ADMIN_KEY, TEAM_A_KEY, TEAM_B_KEY, "sk-backend-openai-0123456789"));
  }

  /** No secret in any dataset file or any column of any store row. */
  private void assertNothingWrittenHolds(List<String> secrets) throws Exception {
    List<String> texts = CaptureRecords.everythingWritten(gw.dir().resolve("data"),
        gw.dir().resolve("data/requests.db"));
    assertFalse(texts.isEmpty());
    for (String text : texts) {
      for (String secret : secrets) {
        assertFalse(text.contains(secret), () -> "secret " + secret + " in " + text);
      }
    }
  }
}
