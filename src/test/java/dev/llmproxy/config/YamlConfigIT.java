package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The config YAML as vertx-config-yaml's processor reads it, through the real port: what it converts reaches the
 * upstream as the user wrote it, and what it would let pass (a duplicate key) is refused on reload with its
 * position while the previous config keeps serving.
 */
@ExtendWith(VertxExtension.class)
class YamlConfigIT {

  private MockUpstream upstream;

  @BeforeEach
  void upstream(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up");
  }

  @AfterEach
  void close() {
    upstream.close();
  }

  /** Alias m on the upstream with {@code model}; line 5 is the route. */
  private String config(String model) {
    return """
        listen: "127.0.0.1:0"
        proxy: {watch_interval: 100ms}
        backends: [{name: up, url: "%s"}]
        models:
          m: [{backend: up, model: %s}]
        """.formatted(upstream.url(), model);
  }

  private void assertServedWith(GatewayHarness gw, String model) {
    var r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(model, upstream.last().json().getString("model"));
  }

  @Test
  void unquotedDatesAndMergeKeysReachTheUpstreamAsWritten(Vertx vertx) {
    // The processor makes the date an Instant (SnakeYAML alone: a java.util.Date, "Thu Jun 01 00:00:00 UTC 2023").
    String yaml = """
        listen: "127.0.0.1:0"
        backends:
          - &common {name: first, url: "%s", headers: {anthropic-version: 2023-06-01}, enabled: false}
          - {<<: *common, name: up, enabled: true}
        models:
          m: [{backend: up, model: real}]
        """.formatted(upstream.url());
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml)) {
      assertServedWith(gw, "real");
      assertEquals("2023-06-01", upstream.last().header("anthropic-version"));
    }
  }

  @Test
  void aReloadWithADuplicateKeyOrASyntaxErrorIsRefusedWithItsPositionAndTheOldConfigServes(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config("real-1"));
        LogCapture log = LogCapture.of(ConfigWatcher.class)) {
      long version = gw.gateway().services().snapshots().current().version();

      // The processor alone would serve the second model; a duplicate is a mistake, so nothing changes.
      String duplicate = config("real-1").replace("model: real-1}", "model: real-1, model: real-2}");
      ReloadResult refused = gw.rewriteConfig(duplicate);
      assertEquals(ReloadResult.Outcome.REJECTED, refused.outcome());
      String problem = "invalid YAML at line 5, column 36: found duplicate key model";
      assertEquals(List.of(problem), refused.problems());
      assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN config reload rejected") && l.contains(problem)),
          log.lines().toString());
      assertServedWith(gw, "real-1");

      ReloadResult broken = gw.rewriteConfig(config("real-2").replace("100ms}", "100ms}}"));
      assertEquals(List.of("invalid YAML at line 2, column 31: expected <block end>, but found '}'"),
          broken.problems());
      assertServedWith(gw, "real-1");
      assertEquals(version, gw.gateway().services().snapshots().current().version());

      ReloadResult fixed = gw.rewriteConfig(config("real-2"));
      assertTrue(fixed.applied(), fixed.toString());
      assertTrue(fixed.version() > version);
      assertServedWith(gw, "real-2");
    }
  }
}
