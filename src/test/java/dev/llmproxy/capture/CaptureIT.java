package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.AnthropicStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockLoki;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Capture through the real HTTP port: requests of both protocols, streamed and not, with a fallback, become
 * exactly one dataset line and one store row each, with the fields of docs/capture.md; the query API answers
 * from the store; no key of any kind reaches a file, a row or Loki.
 */
@ExtendWith(VertxExtension.class)
class CaptureIT {

  static final String PROXY_KEY = "capture-proxy-key-5555";
  static final String KEY_OA = "sk-proj-captureBackendKey1111";
  static final String KEY_AN = "sk-ant-captureBackendKey2222";
  static final String KEY_BAD = "plain-backend-secret-3333";
  static final String HEADER_SECRET = "header-secret-value-4444";
  static final String LOKI_TOKEN = "loki-push-token-6666";
  static final String CLIENT_PASTED_KEY = "sk-clientPastedKey77777777";
  static final List<String> SECRETS = List.of(PROXY_KEY, KEY_OA, KEY_AN, KEY_BAD, HEADER_SECRET, LOKI_TOKEN,
      CLIENT_PASTED_KEY);
  /** Shapes of keys in the wild, whatever their value: none may appear unmasked. */
  static final Pattern KEY_SHAPES = Pattern.compile(
      "sk-(?:ant-|proj-)?[A-Za-z0-9_-]{6,}|(?i:bearer)\\s+(?!\\*\\*\\*\\*)[A-Za-z0-9._~+/-]{16,}"
          + "|(?i:x-api-key\":\")(?!\\*\\*\\*\\*)");

  private MockUpstream oa;
  private MockUpstream an;
  private MockUpstream bad;
  private MockLoki loki;
  private GatewayHarness gw;
  private CaptureRecords records;
  private Vertx vertx;

  private String yaml(String captureExtra) {
    return """
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        proxy: {watch_interval: 100ms}
        backends:
          - {name: oa, url: "%s", api_key: "%s"}
          - {name: an, url: "%s", api_key: "%s", protocol: anthropic}
          - {name: bad, url: "%s", api_key: "%s", headers: {x-org-secret: "%s"}}
        models:
          chat: {routes: [{backend: oa, model: gpt-real}], system_prompt: "Be brief."}
          fb:
            - {backend: bad, model: bad-real, priority: 1}
            - {backend: oa, model: gpt-real, priority: 2}
          claude: {routes: [{backend: an, model: claude-real}], system_prompt: "You are Claude-in-a-test."}
          small: {routes: [{backend: oa, model: gpt-small}]}
          dead: {routes: [{backend: bad, model: bad-real}]}
        fallback: {retry_same_route: 0}
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
          loki: {enabled: true, url: "%s", auth_token: "%s", batch_size: 100, batch_wait: 100ms}
        %s
        """.formatted(PROXY_KEY, oa.url(), KEY_OA, an.url(), KEY_AN, bad.url(), KEY_BAD, HEADER_SECRET,
        loki.pushUrl(), LOKI_TOKEN, captureExtra.indent(2));
  }

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    oa = MockUpstream.start(vertx, "oa");
    an = MockUpstream.start(vertx, "an");
    bad = MockUpstream.start(vertx, "bad").always(MockUpstream.status(500,
        "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY_BAD + " (header " + HEADER_SECRET + ")\"}}"));
    loki = MockLoki.start(vertx);
  }

  private void startGateway(String captureExtra, java.time.Clock clock) {
    gw = GatewayHarness.start(vertx, yaml(captureExtra), Map.of(), 2, clock);
    records = CaptureRecords.listen(gw.gateway().vertx());
  }

  @AfterEach
  void stop() {
    if (records != null) {
      records.close();
    }
    if (gw != null) {
      gw.close();
    }
    oa.close();
    an.close();
    bad.close();
    loki.close();
  }

  private HttpResponse<String> post(String path, String body, String... headers) {
    List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + PROXY_KEY));
    all.addAll(List.of(headers));
    return gw.post(path, body, all.toArray(String[]::new));
  }

  private List<String> postStream(String path, String body) {
    HttpResponse<Stream<String>> r = gw.postStreaming(path, body, "Authorization", "Bearer " + PROXY_KEY);
    assertEquals(200, r.statusCode());
    try (Stream<String> lines = r.body()) {
      return lines.toList();
    }
  }

  private JsonObject admin(String pathAndQuery) {
    HttpResponse<String> r = gw.get(pathAndQuery, "Authorization", "Bearer " + PROXY_KEY);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  static String chat(String model, boolean stream, String userText) {
    return new JsonObject().put("model", model).put("stream", stream).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", userText))).encode();
  }

  static String messages(String model, boolean stream, String userText) {
    return new JsonObject().put("model", model).put("stream", stream).put("max_tokens", 50).put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", userText))).encode();
  }

  static MockUpstream.Reply anthropicMessage(String text) {
    return MockUpstream.json(200, new JsonObject().put("id", "msg_1").put("type", "message").put("role", "assistant")
        .put("model", "claude-real").put("content", new JsonArray().add(new JsonObject().put("type", "text")
            .put("text", text))).put("stop_reason", "end_turn")
        .put("usage", new JsonObject().put("input_tokens", 12).put("output_tokens", 3)));
  }

  static List<String> anthropicStream() {
    return AnthropicStream.message("msg_s", 20)
        .thinking("sig-abc", "Hmm, tools.")
        .text("Calling ", "the tool.")
        .toolUse("toolu_9", "search", "{\"q\": \"wal", "rus\"}")
        .stop("tool_use", 30);
  }

  /** The text a client assembled from the stream lines it received. */
  static String clientText(List<String> lines) {
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
        continue;
      }
      JsonObject json = new JsonObject(line.substring(6));
      if (json.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()) {
        String content = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getString("content");
        out.append(content == null ? "" : content);
      } else if ("content_block_delta".equals(json.getString("type"))
          && "text_delta".equals(json.getJsonObject("delta").getString("type"))) {
        out.append(json.getJsonObject("delta").getString("text"));
      }
    }
    return out.toString();
  }

  @Test
  void everyRequestBecomesExactlyOneLineAndRowWithItsFields() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    oa.next(MockUpstream.chat("plain answer"));
    oa.next(MockUpstream.sse(MockUpstream.openAiStream("gpt-real", "Hello", ", ", "stream", "!"), Duration.ZERO,
        true));
    oa.next(MockUpstream.chat("after fallback"));
    an.next(anthropicMessage("claude says hi"));
    an.next(MockUpstream.sse(anthropicStream(), Duration.ZERO, true));

    HttpResponse<String> plain = post("/v1/chat/completions", chat("chat", false, "first question"),
        "X-Session-ID", "agent-run-42", "X-Trace-ID", "trace-plain-1");
    assertEquals(200, plain.statusCode());
    String openAiStreamText = clientText(postStream("/v1/chat/completions", chat("chat", true, "stream please")));
    assertEquals(200, post("/v1/chat/completions", chat("fb", false, "fall back")).statusCode());
    assertEquals(200, post("/v1/messages", messages("claude", false, "hi claude")).statusCode());
    String anthropicStreamText = clientText(postStream("/v1/messages", messages("claude", true, "use a tool")));
    assertEquals(404, post("/v1/chat/completions", chat("no-such-alias", false, "x")).statusCode());
    int n = 6;

    List<JsonObject> published = records.await(n, Duration.ofSeconds(20));
    List<JsonObject> lines = CaptureRecords.dataset(gw.dir().resolve("data"));
    assertEquals(n, lines.size(), "exactly one line per request");
    assertEquals(n, lines.stream().map(l -> l.getString("id")).distinct().count());
    for (JsonObject line : lines) {
      assertEquals(1, line.getInteger("v"));
      for (String field : List.of("id", "trace_id", "started_at", "ended_at", "duration_ms", "client_ip", "method",
          "endpoint", "protocol", "status", "stream", "request", "response", "usage", "attempts", "fallback")) {
        assertTrue(line.containsKey(field), field + " missing in " + line.encode());
      }
      assertEquals("****", line.getJsonObject("request").getJsonObject("headers").getString("authorization"));
    }
    Map<String, JsonObject> byPath = new HashMap<>();
    lines.forEach(l -> byPath.merge(l.getString("endpoint") + (l.getBoolean("stream") ? "+stream" : "")
        + "/" + l.getString("alias"), l, (a, b) -> a));

    JsonObject first = byPath.get("/chat/completions/chat");
    assertEquals("trace-plain-1", first.getString("trace_id"));
    assertEquals("agent-run-42", first.getString("session_id"));
    assertEquals("oa", first.getString("backend"));
    assertEquals("gpt-real", first.getString("model"));
    assertEquals(200, first.getInteger("status"));
    assertEquals("Be brief.", first.getJsonObject("request").getString("system_prompt"));
    JsonArray sent = first.getJsonObject("request").getJsonObject("body").getJsonArray("messages");
    assertEquals(new JsonObject().put("role", "system").put("content", "Be brief."), sent.getJsonObject(0));
    assertEquals("plain answer", first.getJsonObject("response").getString("text"));
    assertEquals("chat.completion", first.getJsonObject("response").getJsonObject("body").getString("object"));
    assertEquals(3, first.getJsonObject("usage").getInteger("prompt_tokens"));

    JsonObject oaStream = byPath.get("/chat/completions+stream/chat");
    assertEquals("Hello, stream!", openAiStreamText);
    assertEquals(openAiStreamText, oaStream.getJsonObject("response").getString("text"));
    assertEquals(openAiStreamText, oaStream.getJsonObject("response").getJsonObject("message")
        .getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertNotNull(oaStream.getLong("ttfb_ms"));
    assertNull(oaStream.getJsonObject("response").getValue("events"), "raw events only with include_raw_events");

    JsonObject fallback = byPath.get("/chat/completions/fb");
    assertTrue(fallback.getBoolean("fallback"));
    JsonArray attempts = fallback.getJsonArray("attempts");
    assertEquals(2, attempts.size());
    assertEquals("bad", attempts.getJsonObject(0).getString("backend"));
    assertEquals(500, attempts.getJsonObject(0).getInteger("status"));
    assertEquals("oa", attempts.getJsonObject(1).getString("backend"));
    assertEquals("oa", fallback.getString("backend"));
    assertFalse(first.getBoolean("fallback"));

    JsonObject claude = byPath.get("/messages/claude");
    assertEquals("anthropic", claude.getString("protocol"));
    assertEquals("You are Claude-in-a-test.",
        claude.getJsonObject("request").getJsonObject("body").getString("system"));
    assertEquals("You are Claude-in-a-test.", claude.getJsonObject("request").getString("system_prompt"));
    assertEquals("claude says hi", claude.getJsonObject("response").getString("text"));

    JsonObject claudeStream = byPath.get("/messages+stream/claude");
    assertEquals("Calling the tool.", anthropicStreamText);
    assertEquals(anthropicStreamText, claudeStream.getJsonObject("response").getString("text"));
    JsonObject message = claudeStream.getJsonObject("response").getJsonObject("message");
    assertEquals("tool_use", message.getString("stop_reason"));
    JsonArray content = message.getJsonArray("content");
    assertEquals("sig-abc", content.getJsonObject(0).getString("signature"));
    assertEquals(new JsonObject().put("q", "walrus"), content.getJsonObject(2).getJsonObject("input"));
    assertEquals(30, claudeStream.getJsonObject("usage").getInteger("completion_tokens"));

    JsonObject unknown = byPath.get("/chat/completions/null");
    assertEquals(404, unknown.getInteger("status"));
    assertNull(unknown.getString("backend"));
    assertTrue(unknown.getString("error").contains("does not exist"), unknown.getString("error"));

    // The store has the same records: list rows match the published summaries, and a record reads back whole.
    JsonObject listed = admin("/admin/requests?limit=100");
    assertEquals(n, listed.getJsonArray("data").size());
    assertEquals(published.stream().map(o -> o.getString("id")).collect(Collectors.toSet()),
        listed.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet()));
    for (JsonObject line : lines) {
      assertEquals(line, admin("/admin/requests/" + line.getString("id")));
    }
  }

  /**
   * Whichever step answers the client (a stage refusal, the attempt loop's final error, a provider's own error
   * returned as is, an answer, a stream that breaks after it started), the request gives exactly one record, with
   * the status and body the client got; a request refused for a wrong proxy key gives none.
   */
  @Test
  void everyWayOfAnsweringGivesExactlyOneRecord() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    String tooLong =
        "{\"error\":{\"message\":\"maximum context length is 8192\",\"code\":\"context_length_exceeded\"}}";
    oa.next(MockUpstream.status(400, tooLong));
    oa.next(MockUpstream.sseThenReset(MockUpstream.openAiStream("gpt-real", "Half", " a", " story").subList(0, 3),
        Duration.ZERO));

    HttpResponse<String> badJson = post("/v1/chat/completions", "{not json", "X-Trace-ID", "t-bad-json");
    HttpResponse<String> allFailed = post("/v1/chat/completions", chat("dead", false, "anyone?"),
        "X-Trace-ID", "t-all-failed");
    HttpResponse<String> providerError = post("/v1/chat/completions", chat("small", false, "a very long prompt"),
        "X-Trace-ID", "t-provider-error");
    HttpResponse<Stream<String>> broken = gw.postStreaming("/v1/chat/completions", chat("chat", true, "tell a story"),
        "Authorization", "Bearer " + PROXY_KEY, "X-Trace-ID", "t-broken");
    List<String> brokenLines;
    try (Stream<String> lines = broken.body()) {
      brokenLines = lines.toList();
    }
    HttpResponse<String> stranger = gw.post("/v1/chat/completions", chat("chat", false, "let me in"),
        "Authorization", "Bearer wrong-key", "X-Trace-ID", "t-stranger");
    assertEquals(400, badJson.statusCode());
    assertEquals(502, allFailed.statusCode(), allFailed.body());
    assertEquals(400, providerError.statusCode());
    assertEquals(tooLong, providerError.body(), "the provider's own error, unchanged");
    assertEquals(200, broken.statusCode());
    assertTrue(brokenLines.stream().anyMatch(l -> l.contains("stream interrupted")), brokenLines.toString());
    assertEquals(401, stranger.statusCode());

    // A last request: a second record of any of the above would have been written by the time this one is.
    post("/v1/chat/completions", chat("chat", false, "last"), "X-Trace-ID", "t-last");
    while (!"t-last".equals(records.awaitOne().getString("trace_id"))) {
      // records of the requests above
    }
    Map<String, List<JsonObject>> byTrace = CaptureRecords.dataset(gw.dir().resolve("data")).stream()
        .collect(Collectors.groupingBy(l -> l.getString("trace_id")));
    assertEquals(Set.of("t-bad-json", "t-all-failed", "t-provider-error", "t-broken", "t-last"), byTrace.keySet());
    byTrace.forEach((trace, lines) -> assertEquals(1, lines.size(), trace + ": " + lines));

    JsonObject parseError = byTrace.get("t-bad-json").get(0);
    assertEquals(400, parseError.getInteger("status"));
    assertEquals("{not json", parseError.getJsonObject("request").getString("body"), "not JSON: kept as a string");
    assertNotNull(parseError.getString("error"));

    JsonObject failed = byTrace.get("t-all-failed").get(0);
    assertEquals(502, failed.getInteger("status"));
    assertNull(failed.getString("backend"));
    assertEquals("bad", failed.getJsonArray("attempts").getJsonObject(0).getString("backend"));
    assertEquals("dead", failed.getJsonObject("request").getJsonObject("body").getString("model"),
        "no route answered: the request as it would have been sent");
    assertNotNull(failed.getString("error"));

    JsonObject returned = byTrace.get("t-provider-error").get(0);
    assertEquals(400, returned.getInteger("status"));
    assertEquals(new JsonObject(tooLong), returned.getJsonObject("response").getJsonObject("body"));
    assertEquals(1, returned.getJsonArray("attempts").size());
    assertEquals("gpt-small", returned.getJsonArray("attempts").getJsonObject(0).getString("model"));

    JsonObject interrupted = byTrace.get("t-broken").get(0);
    assertEquals(200, interrupted.getInteger("status"));
    assertEquals("Half a", clientText(brokenLines));
    assertEquals(clientText(brokenLines), interrupted.getJsonObject("response").getString("text"));
    assertNotNull(interrupted.getString("error"), "the break is the request's error");
    assertEquals("gpt-real", interrupted.getJsonObject("request").getJsonObject("body").getString("model"),
        "as the serving route received it");
  }

  /**
   * An OpenAI client served by an Anthropic route (translation): the record holds the body the route received, in
   * its protocol, and the stream as the client read it, reassembled in the client's protocol.
   */
  @Test
  void aTranslatedStreamIsRecordedAsTheRouteGotItAndAsTheClientReadIt() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    an.next(MockUpstream.sse(anthropicStream(), Duration.ZERO, true));
    List<String> lines = postStream("/v1/chat/completions", chat("claude", true, "use a tool"));
    String clientText = clientText(lines);
    assertEquals("Calling the tool.", clientText);

    JsonObject record = records.awaitOne();
    JsonObject line = CaptureRecords.dataset(gw.dir().resolve("data")).get(0);
    assertEquals(record.getString("id"), line.getString("id"));
    assertEquals("openai", line.getString("protocol"));
    assertEquals("anthropic", line.getString("route_protocol"), "request.body is in the route's protocol");
    assertEquals("anthropic", record.getString("route_protocol"), "the list row says so too");
    assertEquals("an", line.getString("backend"));
    JsonObject sent = line.getJsonObject("request").getJsonObject("body");
    assertEquals("You are Claude-in-a-test.", sent.getString("system"), "Anthropic's shape, as the route got it");
    assertEquals("claude-real", sent.getString("model"));
    assertEquals("You are Claude-in-a-test.", line.getJsonObject("request").getString("system_prompt"));
    JsonObject message = line.getJsonObject("response").getJsonObject("message");
    assertEquals("chat.completion", message.getString("object"), "the client's protocol: " + message.encode());
    assertEquals(clientText, line.getJsonObject("response").getString("text"));
    JsonObject call = message.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getJsonArray("tool_calls").getJsonObject(0);
    assertEquals("search", call.getJsonObject("function").getString("name"));
    assertEquals(new JsonObject().put("q", "walrus"), new JsonObject(call.getJsonObject("function")
        .getString("arguments")));
  }

  @Test
  void sameConversationStartSameSessionAndStreamsCanKeepRawEvents() throws Exception {
    startGateway("include_raw_events: true", java.time.Clock.systemUTC());
    oa.always(MockUpstream.sse(MockUpstream.openAiStream("gpt-real", "a", "b"), Duration.ZERO, true));
    postStream("/v1/chat/completions", chat("chat", true, "same start"));
    postStream("/v1/chat/completions", chat("chat", true, "same start"));
    postStream("/v1/chat/completions", chat("chat", true, "another start"));
    List<JsonObject> summaries = records.await(3, Duration.ofSeconds(10));

    Set<String> sessions = new HashSet<>();
    summaries.forEach(s -> sessions.add(s.getString("session_id")));
    assertEquals(2, sessions.size(), summaries.toString());
    assertEquals(summaries.get(0).getString("session_id"), summaries.get(1).getString("session_id"));
    assertTrue(summaries.get(0).getString("session_id").startsWith("h-"));
    JsonObject record = admin("/admin/requests/" + summaries.get(0).getString("id"));
    JsonArray events = record.getJsonObject("response").getJsonArray("events");
    assertEquals(5, events.size(), events.encode());
    assertEquals("[DONE]", events.getJsonObject(4).getString("data"));
  }

  @Test
  void queryApiFiltersSearchesPagesAndNeedsTheKey() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    oa.always(MockUpstream.chat("the answer mentions a narwhal"));
    for (int i = 0; i < 5; i++) {
      post("/v1/chat/completions", chat("chat", false, "question number " + i), "X-Session-ID", "s-" + (i % 2));
    }
    post("/v1/chat/completions", chat("fb", false, "fallback question"));
    records.await(6, Duration.ofSeconds(10));

    JsonObject page1 = admin("/admin/requests?limit=4");
    assertEquals(4, page1.getJsonArray("data").size());
    String cursor = page1.getString("next_cursor");
    JsonObject page2 = admin("/admin/requests?limit=4&cursor=" + cursor);
    assertEquals(2, page2.getJsonArray("data").size());
    assertNull(page2.getValue("next_cursor"));
    Set<String> seen = new HashSet<>();
    Stream.concat(page1.getJsonArray("data").stream(), page2.getJsonArray("data").stream())
        .forEach(o -> assertTrue(seen.add(((JsonObject) o).getString("id")), "repeated row"));
    assertEquals(6, seen.size());

    JsonObject row = page1.getJsonArray("data").getJsonObject(0);
    for (String field : List.of("id", "started_at", "trace_id", "session_id", "alias", "backend", "model", "status",
        "stream", "duration_ms", "ttfb_ms", "prompt_tokens", "completion_tokens", "attempts", "fallback", "error")) {
      assertTrue(row.containsKey(field), field + " missing in a list row: " + row.encode());
    }

    assertEquals(1, admin("/admin/requests?q=fallback+question").getJsonArray("data").size());
    assertEquals(6, admin("/admin/requests?q=NARWHAL").getJsonArray("data").size());
    assertEquals(0, admin("/admin/requests?q=walrus").getJsonArray("data").size());
    assertEquals(3, admin("/admin/requests?session=s-0").getJsonArray("data").size());
    assertEquals(1, admin("/admin/requests?alias=fb").getJsonArray("data").size());
    assertEquals(6, admin("/admin/requests?status=2xx&since=1h").getJsonArray("data").size());
    assertEquals(0, admin("/admin/requests?status=error").getJsonArray("data").size());

    JsonObject sessions = admin("/admin/sessions");
    Set<String> ids = sessions.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("session_id"))
        .collect(Collectors.toSet());
    assertTrue(ids.containsAll(Set.of("s-0", "s-1")), ids.toString());
    JsonObject stats = admin("/admin/stats?since=1h");
    assertEquals(6, stats.getJsonObject("total").getInteger("requests"));
    assertEquals(0.0, stats.getJsonObject("total").getDouble("error_rate"));
    assertNotNull(stats.getJsonObject("total").getLong("p95_ms"));

    assertEquals(401, gw.get("/admin/requests").statusCode());
    assertEquals(401, gw.get("/admin/stats", "Authorization", "Bearer wrong").statusCode());
    HttpResponse<String> badLimit = gw.get("/admin/requests?limit=0", "Authorization", "Bearer " + PROXY_KEY);
    assertEquals(400, badLimit.statusCode());
    assertEquals("limit", new JsonObject(badLimit.body()).getJsonObject("error").getString("param"));
    assertEquals(400, gw.get("/admin/requests?cursor=zzz", "Authorization", "Bearer " + PROXY_KEY).statusCode());
    assertEquals(400, gw.get("/admin/requests?status=teapot", "Authorization", "Bearer " + PROXY_KEY).statusCode());
    assertEquals(400, gw.get("/admin/stats?since=yesterday", "Authorization", "Bearer " + PROXY_KEY).statusCode());
    HttpResponse<String> missing = gw.get("/admin/requests/nope", "Authorization", "Bearer " + PROXY_KEY);
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().contains("No captured request"), missing.body());
  }

  @Test
  void noKeyOfAnyKindInAnyFileRowOrLokiEntry() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    // A provider that echoes the key it got (as some 401 bodies do), and a client that pastes one into a prompt.
    oa.always((req, body, up) -> MockUpstream.chat("you sent " + req.getHeader("Authorization")
        + " and " + CLIENT_PASTED_KEY).send(req, body, up));
    an.always(MockUpstream.sse(anthropicStream(), Duration.ZERO, true));
    post("/v1/chat/completions", chat("chat", false, "my key is " + CLIENT_PASTED_KEY + ", x-api-key: " + KEY_AN),
        "x-api-key", PROXY_KEY);
    post("/v1/chat/completions", chat("fb", false, "Authorization: Bearer " + KEY_OA));
    postStream("/v1/messages", messages("claude", true, "proxy key " + PROXY_KEY));
    post("/v1/chat/completions", chat("fb", true, HEADER_SECRET));
    records.await(4, Duration.ofSeconds(10));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loki.accepted().size() == 4);

    List<String> texts = new ArrayList<>();
    for (Path file : CaptureRecords.files(gw.dir().resolve("data"))) {
      texts.add(file + ": " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gw.dir().resolve("data/requests.db"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM requests")) {
      ResultSetMetaData meta = rs.getMetaData();
      int rows = 0;
      while (rs.next()) {
        rows++;
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          texts.add("row column " + meta.getColumnName(i) + ": " + rs.getString(i));
        }
      }
      assertEquals(4, rows);
    }
    loki.pushes().forEach(p -> texts.add("loki push: " + p.body().encode()));
    assertFalse(texts.isEmpty());
    for (String text : texts) {
      for (String secret : SECRETS) {
        assertFalse(text.contains(secret), "secret " + secret + " in " + text);
      }
      var shape = KEY_SHAPES.matcher(text);
      assertFalse(shape.find(), () -> "key-shaped \"" + shape.group() + "\" in " + text);
    }
    String joined = String.join("\n", texts);
    assertTrue(joined.contains("sk-****"), "masking leaves a visible mark");
    assertTrue(loki.pushes().stream().allMatch(p -> ("Bearer " + LOKI_TOKEN).equals(p.headers().get("Authorization"))));
  }

  @Test
  void reloadSwitchesCaptureOffAndOnAndMovesTheDataset() throws Exception {
    startGateway("", java.time.Clock.systemUTC());
    post("/v1/chat/completions", chat("chat", false, "one"));
    records.awaitOne();
    gw.rewriteConfig(yaml("enabled: false"));
    post("/v1/chat/completions", chat("chat", false, "not captured"));
    gw.rewriteConfig(yaml("layout: \"by-backend/{backend}\""));
    post("/v1/chat/completions", chat("chat", false, "three"));
    records.awaitOne();

    List<JsonObject> lines = CaptureRecords.dataset(gw.dir().resolve("data"));
    assertEquals(2, lines.size());
    assertTrue(lines.stream().noneMatch(l -> l.encode().contains("not captured")));
    assertTrue(Files.isDirectory(gw.dir().resolve("data/by-backend/oa")));
    assertEquals(2, admin("/admin/requests").getJsonArray("data").size());
  }

  @Test
  void retentionDeletesStoreRowsOlderThanRetentionDaysByTheGatewayClock() throws Exception {
    MutableClock clock = MutableClock.startingNow();
    startGateway("", clock);  // retention_days: 30 by default
    post("/v1/chat/completions", chat("chat", false, "old news"));
    JsonObject old = records.awaitOne();
    java.time.Instant started = java.time.Instant.parse(old.getString("started_at"));  // the gateway's clock
    assertTrue(!started.isAfter(clock.instant()) && started.isAfter(clock.instant().minusSeconds(30)),
        started::toString);

    clock.advance(Duration.ofDays(31));
    post("/v1/chat/completions", chat("chat", false, "fresh news"));
    JsonObject fresh = records.awaitOne();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertEquals(List.of(fresh.getString("id")), admin("/admin/requests").getJsonArray("data").stream()
            .map(o -> ((JsonObject) o).getString("id")).toList()));
    assertNotEquals(old.getString("id"), fresh.getString("id"));
    // The dataset keeps both: retention is the store's.
    assertEquals(2, CaptureRecords.dataset(gw.dir().resolve("data")).size());
  }
}
