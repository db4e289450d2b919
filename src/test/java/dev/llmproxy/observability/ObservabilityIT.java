package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logs, masking, trace ids, metrics and health through the real HTTP port of an in-process gateway whose
 * {@code logging:} section is applied as {@code Main} applies it (files in the test's temp directory, console
 * captured).
 */
@ExtendWith(VertxExtension.class)
class ObservabilityIT {

  static final String PROXY_KEY = "proxy-key-for-test-7531";
  static final String KEY_A = "sk-proj-backendkeyAAAA1111";
  static final String KEY_B = "plain-backend-secret-b-2468";
  static final String HEADER_SECRET = "header-secret-value-c-9753";
  static final String WRONG_CLIENT_KEY = "sk-wrongclientkey0000999";
  static final String KEY_IN_BODY = "sk-ant-bodykey-zzzz4444";
  static final List<String> SECRETS = List.of(PROXY_KEY, KEY_A, KEY_B, HEADER_SECRET, WRONG_CLIENT_KEY, KEY_IN_BODY);

  private String yaml;
  private MockUpstream a;
  private MockUpstream b;
  private GatewayHarness gw;
  private PrintStream originalOut;
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  @BeforeEach
  void start(Vertx vertx) throws IOException {
    a = MockUpstream.start(vertx, "a");
    b = MockUpstream.start(vertx, "b");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    yaml = """
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        backends:
          - {name: a, url: "%s", api_key: "%s"}
          - {name: b, url: "%s", api_key: "%s", headers: {x-custom-auth: "%s"}}
          - {name: dead, url: "http://127.0.0.1:%d/v1", api_key: "%s"}
        models:
          ok: [{backend: a, model: real-a}]
          fb:
            - {backend: dead, model: real-dead, priority: 1}
            - {backend: a, model: real-a, priority: 2}
          fail: [{backend: dead, model: real-dead}]
          st: [{backend: b, model: real-b}]
          again: [{backend: b, model: real-b2}]
          l2src: [{backend: dead, model: real-dead-2}]
        fallback:
          alias_fallback: {l2src: [ok]}
        logging:
          level: debug
          base_dir: logs
          format: json
          separate_files: true
        """.formatted(PROXY_KEY, a.url(), KEY_A, b.url(), KEY_B, HEADER_SECRET, closedPort, KEY_A);
    gw = GatewayHarness.start(vertx, yaml);
    originalOut = System.out;
    System.setOut(new PrintStream(new TeeStream(originalOut, console), true, StandardCharsets.UTF_8));
    LogSetup.apply(gw.gateway().services().snapshots().current());
  }

  @AfterEach
  void stop() {
    LogSetup.restoreDefaults();
    System.setOut(originalOut);
    LogMasking.register(true, java.util.Set.of());
    gw.close();
    a.close();
    b.close();
  }

  @Test
  void logLinesMetricsAndTraceIdsForSuccessFallbackFailureAndStream() throws Exception {
    PromText before = PromText.parse(gw.get("/metrics").body());
    String auth = "Bearer " + PROXY_KEY;

    var ok = gw.post("/v1/chat/completions", chatSaying("ok", "my key is " + KEY_IN_BODY),
        "Authorization", auth, "X-Trace-ID", "trace-ok-1");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("trace-ok-1", ok.headers().firstValue("X-Trace-ID").orElseThrow());
    MockUpstream.Received atA = a.last();
    assertEquals("trace-ok-1", atA.header("X-Trace-ID"), "trace id forwarded upstream");
    assertEquals("Bearer " + KEY_A, atA.header("Authorization"));

    var fb = gw.post("/v1/chat/completions", GatewayHarness.chat("fb", false),
        "Authorization", auth, "X-Trace-ID", "trace-fb-1");
    assertEquals(200, fb.statusCode(), fb.body());

    var fail = gw.post("/v1/chat/completions", GatewayHarness.chat("fail", false),
        "Authorization", auth, "X-Trace-ID", "trace-fail-1");
    assertEquals(502, fail.statusCode(), fail.body());
    assertEquals("trace-fail-1", fail.headers().firstValue("X-Trace-ID").orElseThrow());

    List<String> events = new ArrayList<>(MockUpstream.openAiStream("real-b", "Hel", "lo"));
    events.add(events.size() - 1, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,\"total_tokens\":15}}\n\n");
    b.next(MockUpstream.sse(events, Duration.ZERO, true));
    var st = gw.post("/v1/chat/completions", GatewayHarness.chat("st", true),
        "Authorization", auth, "X-Trace-ID", "trace-st-1");
    assertEquals(200, st.statusCode());
    assertTrue(st.body().contains("[DONE]"));
    assertEquals(HEADER_SECRET, b.last().header("x-custom-auth"));

    var denied = gw.post("/v1/chat/completions", GatewayHarness.chat("ok", false),
        "Authorization", "Bearer " + WRONG_CLIENT_KEY, "X-Trace-ID", "trace-401-1");
    assertEquals(401, denied.statusCode());

    var generated = gw.post("/v1/chat/completions", GatewayHarness.chat("ok", false),
        "x-api-key", PROXY_KEY, "X-Trace-ID", "not a sane id");
    String generatedId = generated.headers().firstValue("X-Trace-ID").orElseThrow();
    assertTrue(generatedId.matches("[0-9a-f]{32}"), generatedId);
    assertEquals(generatedId, a.last().header("X-Trace-ID"));

    var unknown = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt-unknown-xyz", false),
        "Authorization", auth);
    assertEquals(404, unknown.statusCode());

    awaitRequestsCounted(7);

    // ---- metrics: counters moved by exactly the traffic above -------------------------------------
    HttpResponse<String> scraped = gw.get("/metrics");
    assertTrue(scraped.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    PromText after = PromText.parse(scraped.body());
    assertDelta(2, before, after, "llmproxy_requests_total", "alias", "ok", "backend", "a", "status_class", "2xx");
    assertDelta(1, before, after, "llmproxy_requests_total", "alias", "fb", "backend", "a", "status_class", "2xx");
    assertDelta(1, before, after, "llmproxy_requests_total", "alias", "fail", "backend", "none", "status_class", "5xx");
    assertDelta(1, before, after, "llmproxy_requests_total", "alias", "st", "backend", "b", "stream", "true");
    assertDelta(2, before, after, "llmproxy_requests_total", "alias", "none", "status_class", "4xx");
    assertDelta(1, before, after, "llmproxy_fallbacks_total", "alias", "fb", "level", "L1");
    assertDelta(0, before, after, "llmproxy_fallbacks_total", "level", "L2");
    assertDelta(1, before, after, "llmproxy_attempts_total", "alias", "fb", "backend", "dead", "result", "failed");
    assertDelta(1, before, after, "llmproxy_attempts_total", "alias", "fb", "backend", "a", "result", "accepted");
    assertDelta(2, before, after, "llmproxy_upstream_errors_total", "backend", "dead", "kind", "connect");
    assertDelta(6, before, after, "llmproxy_tokens_total", "alias", "ok", "type", "prompt");
    assertDelta(4, before, after, "llmproxy_tokens_total", "alias", "ok", "type", "completion");
    assertDelta(11, before, after, "llmproxy_tokens_total", "alias", "st", "backend", "b", "type", "prompt");
    assertDelta(4, before, after, "llmproxy_tokens_total", "alias", "st", "backend", "b", "type", "completion");
    assertDelta(2, before, after, "llmproxy_request_duration_seconds_count", "alias", "ok");
    assertDelta(1, before, after, "llmproxy_ttfb_seconds_count", "alias", "st", "stream", "true");
    assertEquals(0, after.value("llmproxy_in_flight_requests"));
    assertFalse(scraped.body().contains("gpt-unknown-xyz"), "unknown model strings are not labels");
    assertFalse(scraped.body().contains("127.0.0.1"), "client addresses are not labels");

    // ---- logs ----------------------------------------------------------------------------------
    LogSetup.restoreDefaults();  // stops the async appenders, which writes out everything queued
    Path logs = gw.dir().resolve("logs");
    List<JsonObject> requests = jsonLines(logs.resolve("requests.log"));
    List<JsonObject> errors = jsonLines(logs.resolve("errors.log"));
    List<JsonObject> app = jsonLines(logs.resolve("app.log"));

    JsonObject okLine = access(requests, "trace-ok-1");
    assertEquals("INFO", okLine.getString("level"));
    assertEquals("127.0.0.1", okLine.getString("client_ip"));
    assertEquals("ok", okLine.getString("alias"));
    assertEquals("a", okLine.getString("backend"));
    assertEquals("real-a", okLine.getString("model"));
    assertEquals(200, okLine.getInteger("status"));
    assertEquals(1, okLine.getInteger("attempts"));
    assertEquals(false, okLine.getBoolean("stream"));
    assertTrue(okLine.getLong("duration_ms") >= 0);
    assertTrue(okLine.getLong("ttfb_ms") >= 0);
    assertTrue(okLine.getLong("bytes_in") > 0);
    assertTrue(okLine.getLong("bytes_out") > 0);
    assertEquals(3, okLine.getInteger("prompt_tokens"));
    assertEquals(2, okLine.getInteger("completion_tokens"));
    assertNull(okLine.getValue("error"));

    JsonObject fbLine = access(requests, "trace-fb-1");
    assertEquals(200, fbLine.getInteger("status"));
    assertEquals(2, fbLine.getInteger("attempts"));
    assertEquals("a", fbLine.getString("backend"));
    assertTrue(fbLine.getString("attempt_trail").startsWith("dead/real-dead: connection failed"),
        fbLine.getString("attempt_trail"));

    JsonObject failLine = access(requests, "trace-fail-1");
    assertEquals("WARN", failLine.getString("level"));
    assertEquals(502, failLine.getInteger("status"));
    assertEquals(1, failLine.getInteger("attempts"));
    assertNull(failLine.getValue("backend"));
    assertTrue(failLine.getString("error").contains("connection failed"), failLine.getString("error"));
    assertNotNull(access(errors, "trace-fail-1"), "failed requests also land in errors.log");

    JsonObject stLine = access(requests, "trace-st-1");
    assertEquals(true, stLine.getBoolean("stream"));
    assertEquals(11, stLine.getInteger("prompt_tokens"));
    assertEquals(4, stLine.getInteger("completion_tokens"));
    assertTrue(stLine.getLong("ttfb_ms") >= 0);

    JsonObject forwardFailure = errors.stream()
        .filter(l -> "llmproxy.forward".equals(l.getString("logger_name")))
        .filter(l -> "trace-fb-1".equals(l.getString("trace_id")))
        .findFirst().orElseThrow(() -> new AssertionError("no forward failure line in errors.log"));
    assertEquals("WARN", forwardFailure.getString("level"));
    assertEquals("dead", forwardFailure.getString("backend"));
    assertEquals("real-dead", forwardFailure.getString("model"));
    assertEquals("fb", forwardFailure.getString("alias"));
    assertEquals(false, forwardFailure.getBoolean("stream"));
    assertTrue(forwardFailure.getLong("body_bytes") > 0);
    assertTrue(forwardFailure.getLong("elapsed_ms") >= 0);
    assertEquals("connect", forwardFailure.getString("failure_kind"));
    assertTrue(forwardFailure.getString("cause").startsWith("connection failed"));

    JsonObject dump = requests.stream()
        .filter(l -> "request dump".equals(l.getString("message")) && "trace-ok-1".equals(l.getString("trace_id")))
        .findFirst().orElseThrow(() -> new AssertionError("no debug dump at level debug"));
    assertEquals("****", dump.getJsonObject("headers").getString("authorization"));
    assertTrue(dump.getString("body").contains("my key is sk-ant-****"), dump.getString("body"));

    assertTrue(app.stream().noneMatch(l -> LogSetup.ACCESS_LOGGER.equals(l.getString("logger_name"))),
        "access lines have their own file");
    assertTrue(app.stream().anyMatch(l -> "llmproxy.forward".equals(l.getString("logger_name"))));

    // Every line about a request names its trace id.
    for (List<JsonObject> file : List.of(requests, errors, app)) {
      for (JsonObject line : file) {
        String logger = line.getString("logger_name");
        if (LogSetup.ACCESS_LOGGER.equals(logger) || "llmproxy.forward".equals(logger)) {
          assertNotNull(line.getString("trace_id"), line.encode());
        }
      }
    }

    // ---- masking: no secret anywhere in anything logged ----------------------------------------
    StringBuilder everything = new StringBuilder(console.toString(StandardCharsets.UTF_8));
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.toList()) {
        everything.append(Files.readString(f));
      }
    }
    assertTrue(everything.toString().contains("trace-ok-1"), "the console saw the traffic too");
    for (String secret : SECRETS) {
      assertFalse(everything.toString().contains(secret), "secret leaked into the logs: " + secret);
    }
  }

  @Test
  void retriesL2FallbacksAndCooldownsAreCounted() {
    PromText before = PromText.parse(gw.get("/metrics").body());
    String auth = "Bearer " + PROXY_KEY;

    b.next(MockUpstream.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
    var retried = gw.post("/v1/chat/completions", GatewayHarness.chat("again", false), "Authorization", auth);
    assertEquals(200, retried.statusCode(), retried.body());
    assertEquals("2", retried.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());

    var l2 = gw.post("/v1/chat/completions", GatewayHarness.chat("l2src", false), "Authorization", auth);
    assertEquals(200, l2.statusCode(), l2.body());
    assertEquals("a", l2.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());

    awaitRequestsCounted(2);
    PromText after = PromText.parse(gw.get("/metrics").body());
    assertDelta(1, before, after, "llmproxy_retries_total", "alias", "again");
    assertDelta(0, before, after, "llmproxy_fallbacks_total", "alias", "again");
    assertDelta(1, before, after, "llmproxy_fallbacks_total", "alias", "l2src", "level", "L2");
    assertDelta(0, before, after, "llmproxy_fallbacks_total", "alias", "l2src", "level", "L1");
    assertDelta(1, before, after, "llmproxy_requests_total", "alias", "l2src", "backend", "a", "status_class", "2xx");
    assertDelta(1, before, after, "llmproxy_attempts_total", "alias", "ok", "backend", "a", "result", "accepted");
    assertDelta(1, before, after, "llmproxy_attempts_total", "alias", "l2src", "backend", "dead", "result", "failed");
    assertEquals(1, after.value("llmproxy_cooldown_active", "backend", "dead", "model", "real-dead-2"),
        "the route that refused connections is cooling down");
    assertEquals(0, after.value("llmproxy_cooldown_active", "backend", "a", "model", "real-a"));
  }

  @Test
  void rateLimitAndQueueRejectionsAndQueueDepthAreExposed() throws Exception {
    // Its own Vert.x: within one, servers asked for a random port (port 0 -> -1) share one, the other gateway's.
    Vertx own = Vertx.vertx();
    try (GatewayHarness limited = GatewayHarness.start(own, """
        listen: "127.0.0.1:0"
        backends:
          - {name: a, url: "%s"}
        models:
          slow: [{backend: a, model: real-a}]
          rated: [{backend: a, model: real-a}]
        rate_limit:
          enabled: true
          global_rps: 0
          per_ip_rps: 0
          burst_factor: 0.1
          per_model_rps: {rated: 1}
        concurrency:
          enabled: true
          max_requests: 1
          max_queue_size: 1
          queue_timeout: 30s
        """.formatted(a.url()))) {
      var first = limited.post("/v1/chat/completions", GatewayHarness.chat("rated", false));
      assertEquals(200, first.statusCode(), first.body());
      assertEquals(429, limited.post("/v1/chat/completions", GatewayHarness.chat("rated", false)).statusCode());

      a.always(MockUpstream.hang());
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(limited.baseUrl() + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("slow", false))).build();
      var holding = limited.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
      a.awaitRequest(Duration.ofSeconds(10));  // the "rated" request that passed above
      a.awaitRequest(Duration.ofSeconds(10));  // this one: it now holds the only slot
      var waiting = limited.client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
      awaitQueued(limited, 1);
      assertEquals(1, new JsonObject(limited.get("/livez").body()).getInteger("queued"));
      assertEquals(503, limited.post("/v1/chat/completions", GatewayHarness.chat("slow", false)).statusCode(),
          "queue full");

      PromText p = PromText.parse(limited.get("/metrics").body());
      assertEquals(1, p.value("llmproxy_rate_limit_rejections_total", "limit", "per_model"));
      assertEquals(0, p.value("llmproxy_rate_limit_rejections_total", "limit", "global"));
      assertEquals(1, p.value("llmproxy_queue_rejections_total", "reason", "queue_full"));
      assertEquals(1, p.value("llmproxy_queue_depth"));
      assertEquals(2, p.value("llmproxy_in_flight_requests"), "the one holding the slot and the one queued");
      holding.cancel(true);
      waiting.cancel(true);
    } finally {
      own.close().await();
    }
  }

  private static void awaitQueued(GatewayHarness gateway, int n) {
    var metrics = gateway.gateway().services().metrics();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (metrics.queueDepth() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nothing queued: " + metrics.scrape());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void reloadsAreCountedAndTheNewConfigsSecretsAreMasked() throws Exception {
    String rotated = "rotated-secret-key-1357";
    PromText before = PromText.parse(gw.get("/metrics").body());

    assertTrue(gw.rewriteConfig(yaml.replace(KEY_A, rotated)).applied());
    var r = gw.post("/v1/chat/completions", chatSaying("ok", "the new key is " + rotated),
        "Authorization", "Bearer " + PROXY_KEY, "X-Trace-ID", "trace-after-reload");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("Bearer " + rotated, a.last().header("Authorization"), "the reload took effect");
    assertFalse(gw.rewriteConfig(yaml.replace("backend: a, model: real-a}]", "backend: nope, model: x}]")).applied());

    PromText after = PromText.parse(gw.get("/metrics").body());
    assertDelta(1, before, after, "llmproxy_config_reloads_total", "result", "ok");
    assertDelta(1, before, after, "llmproxy_config_reloads_total", "result", "failed");
    assertDelta(1, before, after, "llmproxy_config_version");

    awaitRequestsCounted(1);
    LogSetup.restoreDefaults();
    StringBuilder everything = new StringBuilder(console.toString(StandardCharsets.UTF_8));
    try (Stream<Path> files = Files.list(gw.dir().resolve("logs"))) {
      for (Path f : files.toList()) {
        everything.append(Files.readString(f));
      }
    }
    assertTrue(everything.toString().contains("the new key is ****"), "the debug dump shows the masked body");
    assertFalse(everything.toString().contains(rotated), "a secret added by a reload is masked from then on");
  }

  @Test
  void healthAndLivezFollowTheDrain() {
    HttpResponse<String> health = gw.get("/health");
    assertEquals(200, health.statusCode());
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(health.body()));
    JsonObject livez = new JsonObject(gw.get("/livez").body());
    assertEquals("ok", livez.getString("status"));
    assertEquals(0, livez.getInteger("in_flight"));
    assertEquals(0, livez.getInteger("queued"));
    assertEquals(false, livez.getBoolean("draining"));
    assertEquals(gw.gateway().services().snapshots().current().loadedAt().toString(),
        livez.getString("config_loaded_at"));

    gw.gateway().services().drain().start();

    health = gw.get("/health");
    assertEquals(503, health.statusCode());
    assertEquals(new JsonObject().put("status", "draining"), new JsonObject(health.body()));
    livez = new JsonObject(gw.get("/livez").body());
    assertEquals("draining", livez.getString("status"));
    assertEquals(true, livez.getBoolean("draining"));
    var refused = gw.post("/v1/messages",
        "{\"model\":\"ok\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-api-key", PROXY_KEY);
    assertEquals(503, refused.statusCode());
    JsonObject error = new JsonObject(refused.body());
    assertEquals("error", error.getString("type"), "refused in the client's protocol (Anthropic here)");
    assertEquals("overloaded_error", error.getJsonObject("error").getString("type"));
    assertEquals(0, a.count(), "nothing reached a backend");
  }

  private void awaitRequestsCounted(int n) {
    var registry = gw.gateway().services().metrics().registry();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // The finisher counts a request right after writing its access line, a moment after the response ended.
    while (registry.find("llmproxy.requests").counters().stream().mapToDouble(c -> c.count()).sum() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("requests not counted: " + gw.gateway().services().metrics().scrape());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static void assertDelta(double expected, PromText before, PromText after, String name, String... labels) {
    assertEquals(expected, after.value(name, labels) - before.value(name, labels),
        name + " " + String.join(",", labels));
  }

  private static JsonObject access(List<JsonObject> lines, String traceId) {
    List<JsonObject> found = lines.stream()
        .filter(l -> LogSetup.ACCESS_LOGGER.equals(l.getString("logger_name")))
        .filter(l -> traceId.equals(l.getString("trace_id")))
        .filter(l -> l.getValue("status") != null)
        .collect(Collectors.toList());
    assertEquals(1, found.size(), "exactly one access line for " + traceId + ": " + found);
    return found.get(0);
  }

  private static List<JsonObject> jsonLines(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
  }

  private static String chatSaying(String model, String text) {
    return new JsonObject().put("model", model).put("messages", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("role", "user").put("content", text))).encode();
  }

  /** Copies console output to the real stdout and to a buffer the test can search. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final java.io.OutputStream second;

    TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
      first.write(bytes, off, len);
      second.write(bytes, off, len);
    }

    @Override
    public void flush() throws IOException {
      first.flush();
    }
  }
}
