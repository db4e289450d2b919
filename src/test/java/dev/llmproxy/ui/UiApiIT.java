package dev.llmproxy.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.ScriptedModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The UI's JSON API and its pages through the real port: lists, records, sessions, statistics and time series
 * from the capture store; the live feed; the gateway's state (route health on the gateway's clock, config version,
 * last reload); clear 400/404 errors; cache headers of pages, app assets and WebJars.
 */
@ExtendWith(VertxExtension.class)
class UiApiIT {

  private GatewayHarness gw;
  private MockUpstream flaky;

  private String yaml(String capture) {
    return """
        listen: "127.0.0.1:0"
        proxy: {watch_interval: 100ms}
        backends:
          - {name: local, type: echo}
          - {name: flaky, url: "%s", api_key: "sk-flakyBackendKey1234"}
        models:
          chat: [{backend: local, model: echo}]
          shaky:
            - {backend: flaky, model: flaky-real, priority: 1}
            - {backend: local, model: echo, priority: 2}
        fallback: {retry_same_route: 0, cooldown_initial_seconds: 60}
        %s
        """.formatted(flaky.url(), capture);
  }

  private static final String CAPTURE = """
      capture:
        directory: data
        store: {type: sqlite, path: data/requests.db}
      """;

  private void start(Vertx vertx, String capture, java.time.Clock clock) {
    flaky = MockUpstream.start(vertx, "flaky").always(MockUpstream.status(500, "{\"error\":{\"message\":\"down\"}}"));
    gw = GatewayHarness.start(vertx, yaml(capture), Map.of(), 2, clock);
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    if (flaky != null) {
      flaky.close();
    }
  }

  @Test
  void listsRecordsSessionsStatsAndSeriesComeFromTheStore(Vertx vertx) {
    start(vertx, CAPTURE, java.time.Clock.systemUTC());  // newest first needs time to pass between requests
    for (int i = 0; i < 3; i++) {
      assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("chat", "question number " + i),
          "X-Session-ID", "ui-api-session").statusCode());
    }
    assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("shaky", "falls back")).statusCode());
    JsonArray rows = await().atMost(Duration.ofSeconds(5))
        .until(() -> json("/ui/api/requests").getJsonArray("data"), d -> d.size() == 4);
    JsonObject newest = rows.getJsonObject(0);
    assertEquals("shaky", newest.getString("alias"));
    assertEquals(2, newest.getInteger("attempts"));
    assertTrue(newest.getBoolean("fallback"));

    assertEquals(3, json("/ui/api/requests?session=ui-api-session").getJsonArray("data").size());
    assertEquals(1, json("/ui/api/requests?q=number+2").getJsonArray("data").size(), "full-text search");
    assertEquals(2, json("/ui/api/requests?limit=2").getJsonArray("data").size());
    assertNotNull(json("/ui/api/requests?limit=2").getString("next_cursor"));

    JsonObject record = json("/ui/api/requests/" + newest.getString("id"));
    assertEquals(newest.getString("trace_id"), record.getString("trace_id"));
    assertEquals("falls back", record.getJsonObject("request").getJsonObject("body").getJsonArray("messages")
        .getJsonObject(0).getString("content"));

    JsonObject session = json("/ui/api/sessions?alias=chat").getJsonArray("data").getJsonObject(0);
    assertEquals("ui-api-session", session.getString("session_id"));
    assertEquals(3, session.getLong("requests"));
    assertEquals(4, json("/ui/api/stats?since=1h").getJsonObject("total").getLong("requests"));

    JsonObject series = json("/ui/api/series?window=1h");
    assertEquals(30_000, series.getLong("bucket_ms"), "1 h in 120 buckets of 30 s");
    int buckets = series.getJsonArray("t").size();
    assertTrue(buckets >= 120 && buckets <= 121, "buckets: " + buckets);
    JsonObject total = series.getJsonObject("total");
    assertEquals(4, sum(total.getJsonArray("requests")));
    assertEquals(buckets, total.getJsonArray("p95_ms").size());
    assertEquals(3, sum(series.getJsonObject("by_alias").getJsonObject("chat").getJsonArray("requests")));
    assertEquals(1, sum(series.getJsonObject("by_backend").getJsonObject("local").getJsonArray("requests"))
        - 3, "the fallback was served by local too");
    long lastBucket = series.getJsonArray("t").getLong(buckets - 1);
    assertTrue(lastBucket <= System.currentTimeMillis() && lastBucket % 30_000 == 0, "aligned to the bucket width");
    assertEquals(4, sum(json("/ui/api/series?window=all").getJsonObject("total").getJsonArray("requests")));
  }

  /**
   * A stream cut mid-answer and finished on a second route, and a request translated for an Anthropic route: the
   * list rows name both legs and the break, the protocol the route got, and are /admin/requests' rows exactly.
   */
  @Test
  void aRecoveredStreamAndATranslatedRequestListAsAdminRequestsDoes(Vertx vertx) {
    String answer = IntStream.rangeClosed(1, 20).mapToObj(i -> "word" + i).collect(Collectors.joining(" ")) + ".";
    String delivered = String.join("", ScriptedModel.pieces(answer).subList(0, 6));
    MockUpstream first = MockUpstream.start(vertx, "first")
        .always(ScriptedModel.openAi(answer).breaking(6, ScriptedModel.Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(answer));
    try {
      gw = GatewayHarness.start(vertx, """
          listen: "127.0.0.1:0"
          backends:
            - {name: first, url: "%s", protocol: openai}
            - {name: second, url: "%s", protocol: openai}
            - {name: local-claude, type: echo, protocol: anthropic}
          models:
            m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]
            mixed: [{backend: local-claude, model: echo-claude}]
          fallback: {retry_same_route: 0}
          %s""".formatted(first.url(), second.url(), CAPTURE));
      HttpResponse<String> recovered = gw.post("/v1/chat/completions",
          "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}");
      assertEquals(200, recovered.statusCode(), recovered.body());
      assertEquals(answer, ClientStream.of(recovered.body()).openAiText(), "the client read the whole answer");
      assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("mixed", "translate me")).statusCode());

      JsonArray rows = await().atMost(Duration.ofSeconds(5))
          .until(() -> json("/ui/api/requests").getJsonArray("data"), d -> d.size() == 2);
      JsonObject translated = rows.getJsonObject(0);
      JsonObject broken = rows.getJsonObject(1);
      JsonObject firstLeg = new JsonObject().put("alias", "m").put("backend", "first").put("model", "m1");
      JsonObject secondLeg = new JsonObject().put("alias", "m").put("backend", "second").put("model", "m2");
      assertEquals(new JsonArray().add(firstLeg).add(secondLeg), broken.getJsonArray("legs"));
      JsonObject recovery = broken.getJsonArray("recoveries").getJsonObject(0);
      assertEquals(firstLeg, recovery.getJsonObject("broken_route"));
      assertEquals(secondLeg, recovery.getJsonObject("continued_on"));
      assertEquals(delivered.length(), recovery.getInteger("delivered_chars"));
      assertTrue(recovery.getString("reason").contains("reset"), recovery.encode());
      assertFalse(recovery.containsKey("request_body"), "a list row carries no bodies");
      assertEquals("openai", broken.getString("route_protocol"));
      assertEquals("second", broken.getString("backend"), "the route that finished the answer");
      JsonObject record = json("/ui/api/requests/" + broken.getString("id"));
      assertTrue(record.getJsonArray("recoveries").getJsonObject(0).getJsonObject("request_body").encode()
          .contains(delivered.strip()), "the whole record has the continuation's prefilled body");

      assertEquals("openai", translated.getString("protocol"), "the client's protocol");
      assertEquals("anthropic", translated.getString("route_protocol"), "the route's: translated");
      JsonObject sent = json("/ui/api/requests/" + translated.getString("id")).getJsonObject("request")
          .getJsonObject("body");
      assertEquals("echo-claude", sent.getString("model"));
      assertNotNull(sent.getValue("max_tokens"), "a messages request, as the Anthropic route got it: " + sent);
      assertEquals(new JsonArray(), translated.getJsonArray("recoveries"));

      assertEquals(json("/admin/requests").getJsonArray("data"), rows, "/ui/api and /admin list the same rows");
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void theLiveFeedSendsEachCapturedRequest(Vertx vertx) throws Exception {
    start(vertx, CAPTURE, MutableClock.startingNow());
    HttpResponse<Stream<String>> feed = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/ui/api/live"))
        .GET().build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, feed.statusCode());
    assertTrue(feed.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      Iterator<String> it = feed.body().iterator();
      while (it.hasNext()) {
        lines.add(it.next());
      }
    });
    reader.setDaemon(true);
    reader.start();
    assertEquals("retry: 2000", lines.poll(5, TimeUnit.SECONDS), "the feed is open before any request");

    HttpResponse<String> sent = gw.post("/v1/chat/completions", UiTraffic.chat("chat", "live one"));
    String traceId = sent.headers().firstValue("X-Trace-ID").orElseThrow();
    String line;
    do {
      line = lines.poll(5, TimeUnit.SECONDS);
      assertNotNull(line, "no request event within 5 s");
    } while (!line.equals("event: request"));
    JsonObject row = new JsonObject(lines.poll(1, TimeUnit.SECONDS).substring("data: ".length()));
    assertEquals(traceId, row.getString("trace_id"));
    assertEquals("chat", row.getString("alias"));
    JsonObject leg = new JsonObject().put("alias", "chat").put("backend", "local").put("model", "echo");
    assertEquals(new JsonArray().add(leg), row.getJsonArray("legs"), "the list row, routing included");
    feed.body().close();
  }

  @Test
  void statusShowsRouteHealthOnTheGatewaysClockAndTheLastReload(Vertx vertx) {
    MutableClock clock = MutableClock.startingNow();
    start(vertx, CAPTURE, clock);
    JsonObject before = json("/ui/api/status");
    assertEquals("proxy", before.getString("mode"));
    assertEquals("loopback", before.getString("auth"));
    assertEquals(1, before.getJsonObject("config").getLong("version"));
    assertEquals("ok", route(before, "shaky", 0).getString("state"));

    assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("shaky", "cool it down")).statusCode());
    JsonObject cooling = route(json("/ui/api/status"), "shaky", 0);
    assertEquals("cooling", cooling.getString("state"));
    assertEquals(60_000, cooling.getLong("cooling_ms"), "the gateway's clock has not moved");
    assertEquals("ok", route(json("/ui/api/status"), "shaky", 1).getString("state"));
    clock.advance(Duration.ofSeconds(61));
    assertEquals("ok", route(json("/ui/api/status"), "shaky", 0).getString("state"), "may be probed again");

    String yaml = yaml(CAPTURE).replace("cooldown_initial_seconds: 60", "cooldown_initial_seconds: 30");
    assertTrue(gw.rewriteConfig(yaml).applied());
    JsonObject reloaded = json("/ui/api/status");
    assertEquals(2, reloaded.getJsonObject("config").getLong("version"));
    assertEquals("applied", reloaded.getJsonObject("last_reload").getString("outcome"));
    assertEquals("watch", reloaded.getJsonObject("last_reload").getString("trigger"));

    assertFalse(gw.rewriteConfig(yaml.replace("backend: local, model: echo, priority: 2",
        "backend: nowhere, model: echo, priority: 2")).applied());
    JsonObject rejected = json("/ui/api/status");
    assertEquals(2, rejected.getJsonObject("config").getLong("version"), "the old config keeps serving");
    assertEquals("rejected", rejected.getJsonObject("last_reload").getString("outcome"));
    assertTrue(rejected.getJsonObject("last_reload").getJsonArray("problems").encode().contains("nowhere"));
  }

  @Test
  void badParametersAreClearJsonErrors(Vertx vertx) {
    start(vertx, CAPTURE, MutableClock.startingNow());
    for (String[] c : new String[][] {{"/ui/api/requests?limit=0", "limit"}, {"/ui/api/requests?status=abc", "status"},
        {"/ui/api/requests?since=yesterday", "since"}, {"/ui/api/requests?stream=maybe", "stream"},
        {"/ui/api/series?window=forever", "window"}, {"/ui/api/stats?since=1h&until=2h", "since"}}) {
      HttpResponse<String> r = gw.get(c[0]);
      assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
      assertEquals(c[1], new JsonObject(r.body()).getJsonObject("error").getString("param"), c[0]);
    }
    HttpResponse<String> unknownId = gw.get("/ui/api/requests/no-such-id");
    assertEquals(404, unknownId.statusCode());
    assertTrue(new JsonObject(unknownId.body()).getJsonObject("error").getString("message").contains("no-such-id"));
    assertEquals(404, gw.get("/ui/api/nothing-here").statusCode());
    assertTrue(gw.get("/ui/api/nothing-here").body().startsWith("{\"error\""));
  }

  @Test
  void withoutAStoreTheListsSaySoAndStatusStillAnswers(Vertx vertx) {
    start(vertx, "capture: {directory: data, store: {type: none}}", MutableClock.startingNow());
    HttpResponse<String> r = gw.get("/ui/api/requests");
    assertEquals(404, r.statusCode());
    assertTrue(r.body().contains("no capture store"), r.body());
    JsonObject status = json("/ui/api/status");
    assertFalse(status.getBoolean("store"));
    assertEquals(200, gw.get("/ui/").statusCode());
  }

  @Test
  void pagesAssetsAndLibrariesCarryTheirCacheAndSecurityHeaders(Vertx vertx) {
    start(vertx, CAPTURE, MutableClock.startingNow());
    HttpResponse<String> index = gw.get("/ui/");
    assertEquals(200, index.statusCode());
    assertEquals("no-store", index.headers().firstValue("Cache-Control").orElseThrow());
    String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("DENY", index.headers().firstValue("X-Frame-Options").orElseThrow());
    assertTrue(index.body().contains("/ui/app/main.js"));
    assertEquals(303, gw.get("/ui").statusCode());

    HttpResponse<String> app = gw.get("/ui/app/main.js");
    assertEquals(200, app.statusCode());
    assertEquals("no-cache", app.headers().firstValue("Cache-Control").orElseThrow());
    String lastModified = app.headers().firstValue("Last-Modified").orElseThrow();
    assertEquals(304, gw.get("/ui/app/main.js", "If-Modified-Since", lastModified).statusCode());

    HttpResponse<String> vendor = gw.get("/ui/vendor/alpinejs/3.14.9/dist/module.esm.min.js");
    assertEquals(200, vendor.statusCode());
    assertTrue(vendor.headers().firstValue("Cache-Control").orElseThrow().contains("max-age=31536000"));
    assertTrue(vendor.headers().firstValue("Content-Type").orElseThrow().contains("javascript"));
    assertEquals(404, gw.get("/ui/vendor/alpinejs/").statusCode(), "no directory listing");
    assertEquals(404, gw.get("/ui/no-such-page").statusCode());
  }

  private JsonObject json(String path) {
    HttpResponse<String> r = gw.get(path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return new JsonObject(r.body());
  }

  private static JsonObject route(JsonObject status, String alias, int index) {
    for (Object a : status.getJsonArray("routes")) {
      JsonObject entry = (JsonObject) a;
      if (entry.getString("alias").equals(alias)) {
        return entry.getJsonArray("routes").getJsonObject(index);
      }
    }
    throw new AssertionError("no alias " + alias + " in " + status.encode());
  }

  private static long sum(JsonArray values) {
    long n = 0;
    for (Object v : values) {
      n += ((Number) v).longValue();
    }
    return n;
  }
}
