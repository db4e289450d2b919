package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hot reload through the real port: the watcher sees file changes and swaps snapshots under live traffic. */
@ExtendWith(VertxExtension.class)
class HotReloadIT {

  private MockUpstream a;
  private MockUpstream b;

  @BeforeEach
  void upstreams(Vertx vertx) {
    a = MockUpstream.start(vertx, "a");
    b = MockUpstream.start(vertx, "b");
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  /** Alias m served by {@code backend}; both backends always defined. */
  private String config(String backend, String extra) {
    return """
        listen: "127.0.0.1:0"
        proxy: {watch_interval: 100ms}
        backends:
          - {name: a, url: "%s"}
          - {name: b, url: "%s"}
        models:
          m: [{backend: %s, model: real-%s}]
        %s""".formatted(a.url(), b.url(), backend, backend, extra);
  }

  @Test
  void streamInFlightFinishesOnOldRouteWhileNextRequestTakesTheNewOne(Vertx vertx) {
    Promise<Void> release = Promise.promise();
    List<String> events = MockUpstream.openAiStream("real-a", "one", "two", "three");
    a.next(MockUpstream.scripted(response -> {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      response.write(events.get(0));
      response.write(events.get(1));
      // The rest only after the reload: the stream spans it.
      return release.future().compose(v -> {
        events.subList(2, events.size()).forEach(response::write);
        return response.end();
      });
    }));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config("a", ""))) {
      HttpResponse<Stream<String>> stream = gw.postStreaming("/v1/chat/completions", GatewayHarness.chat("m", true));
      assertEquals(200, stream.statusCode());

      ReloadResult reload = gw.rewriteConfig(config("b", ""));
      assertTrue(reload.applied(), reload.toString());
      assertEquals(List.of("m"), reload.diff().aliasesModified());

      var next = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(200, next.statusCode(), next.body());
      assertEquals("b", next.headers().firstValue("x-upstream-id").orElse(null));
      assertEquals("real-b", b.last().json().getString("model"));

      release.complete();
      String body = stream.body().collect(Collectors.joining("\n"));
      assertTrue(body.contains("\"one\"") && body.contains("\"two\"") && body.contains("\"three\""), body);
      assertTrue(body.contains("data: [DONE]"), body);
      assertEquals("a", stream.headers().firstValue("x-upstream-id").orElse(null));
      assertEquals(1, a.count(), "the stream was not retried elsewhere");
      assertEquals("real-a", a.last().json().getString("model"));
      assertEquals(1, b.count());
    }
  }

  @Test
  void invalidChangesAreRefusedLoggedWithTheFieldAndTheOldConfigKeepsServing(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config("a", ""));
        LogCapture log = LogCapture.of(ConfigWatcher.class)) {
      long version = gw.gateway().services().snapshots().current().version();

      // Valid YAML, invalid config: an unknown backend.
      String unknownBackend = config("a", "").replace("{backend: a, model: real-a}", "{backend: nope, model: x}");
      ReloadResult refused = gw.rewriteConfig(unknownBackend);
      assertEquals(ReloadResult.Outcome.REJECTED, refused.outcome());
      String problem = "models[\"m\"][0].backend: unknown backend \"nope\" (defined: [a, b])";
      assertEquals(List.of(problem), refused.problems());
      String line = log.lines().stream().filter(l -> l.contains("rejected")).findFirst().orElseThrow();
      assertTrue(line.startsWith("WARN ") && line.contains(gw.dir().resolve("config.yaml").toString())
          && line.contains(problem), line);
      assertEquals(version, gw.gateway().services().snapshots().current().version());
      assertOkFrom(gw, "a");

      // Half-written: an editor truncated the file, or stopped mid-document.
      assertEquals(List.of("file is empty"), gw.rewriteConfig("").problems());
      assertOkFrom(gw, "a");
      String whole = config("b", "");
      ReloadResult broken = gw.rewriteConfig(whole.substring(0, whole.indexOf("model: real-b")));
      assertEquals(ReloadResult.Outcome.REJECTED, broken.outcome());
      assertTrue(broken.problems().get(0).startsWith("invalid YAML at line"), broken.problems().toString());
      assertOkFrom(gw, "a");
      assertEquals(3, log.lines().stream().filter(l -> l.contains("rejected")).count(), "one line per refusal");

      // The finished save is picked up on the next change.
      ReloadResult fixed = gw.rewriteConfig(config("b", ""));
      assertTrue(fixed.applied(), fixed.toString());
      assertTrue(fixed.version() > version);
      assertOkFrom(gw, "b");
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("INFO config reloaded")
          && l.contains("changes=aliases modified [m]")), log.lines().toString());
    }
  }

  @Test
  void renameStyleSaveIsPickedUp(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config("a", ""))) {
      assertOkFrom(gw, "a");
      ReloadResult r = gw.renameConfig(config("b", "  n: [{backend: a, model: real-n}]\n"));
      assertTrue(r.applied(), r.toString());
      assertEquals(List.of("n"), r.diff().aliasesAdded());
      assertOkFrom(gw, "b");
      var n = gw.post("/v1/chat/completions", GatewayHarness.chat("n", false));
      assertEquals(200, n.statusCode(), n.body());
      assertEquals("real-n", a.last().json().getString("model"));
    }
  }

  @Test
  void listenChangeIsReportedAndOtherwiseIgnored(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config("a", ""));
        LogCapture log = LogCapture.of(ConfigWatcher.class)) {
      ReloadResult r = gw.rewriteConfig(config("b", "").replace("127.0.0.1:0", "127.0.0.1:1"));
      assertTrue(r.applied(), r.toString());
      assertEquals(List.of("listen 127.0.0.1:0 -> 127.0.0.1:1"), r.diff().needsRestart());
      assertOkFrom(gw, "b"); // same port as before: nothing rebound
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN config reloaded")
          && l.contains("needs a restart") && l.contains("still listening on 127.0.0.1:" + gw.gateway().port())),
          log.lines().toString());
    }
  }

  private void assertOkFrom(GatewayHarness gw, String upstream) {
    var r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(upstream, r.headers().firstValue("x-upstream-id").orElse(null));
    MockUpstream expected = upstream.equals("a") ? a : b;
    assertEquals("real-" + upstream, expected.last().json().getString("model"));
  }
}
