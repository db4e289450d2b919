package dev.llmproxy.capture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockLoki;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loki push through the port against an in-process Loki: gzip batches by size and by wait, bounded labels,
 * entries that carry trace and session ids; failures retried with backoff until Loki recovers; given up,
 * dropped and counted after {@code retry_max} (or at once when Loki refuses the batch), local capture unaffected.
 */
@ExtendWith(VertxExtension.class)
class CaptureLokiIT {

  private MockUpstream upstream;
  private MockLoki loki;
  private GatewayHarness gw;
  private CaptureRecords records;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up");
    loki = MockLoki.start(vertx);
  }

  private void gateway(Vertx vertx, String lokiSettings) {
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", api_key: "loki-test-backend-key"}]
        models:
          a: [{backend: up, model: real-a}]
          b: [{backend: up, model: real-b}]
        capture:
          directory: data
          store: {type: none}
          loki: {enabled: true, url: "%s", %s}
        """.formatted(upstream.url(), loki.pushUrl(), lokiSettings));
    records = CaptureRecords.listen(vertx);
  }

  @AfterEach
  void stop() {
    if (records != null) {
      records.close();
    }
    if (gw != null) {
      gw.close();
    }
    upstream.close();
    loki.close();
  }

  private double metric(String name, String... labels) {
    return PromText.parse(gw.get("/metrics").body()).value(name, labels);
  }

  @Test
  void gzipBatchesOfBatchSizeCarryBoundedLabelsAndTheRecordAsTheLine(Vertx vertx) throws Exception {
    gateway(vertx, "batch_size: 3, batch_wait: 60s, tenant_id: team-7, labels: {environment: test}, "
        + "auth_token: loki-token-abc");
    for (int i = 0; i < 6; i++) {
      gw.post("/v1/chat/completions", GatewayHarness.chat(i % 2 == 0 ? "a" : "b", false),
          "X-Session-ID", "session-" + i);
    }
    List<JsonObject> written = records.await(6, Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.accepted().size() == 6);

    List<MockLoki.Push> pushes = loki.pushes();
    assertEquals(2, pushes.size(), "batch_size 3 and a long batch_wait: two full batches");
    for (MockLoki.Push push : pushes) {
      assertTrue(push.gzip());
      assertEquals("team-7", push.headers().get("X-Scope-OrgID"));
      assertEquals("Bearer loki-token-abc", push.headers().get("Authorization"));
      assertEquals(3, push.entries().size());
    }
    for (MockLoki.Entry e : loki.accepted()) {
      assertEquals(Set.of("app", "environment", "alias", "backend", "status_class", "protocol"),
          e.labels().fieldNames());
      assertEquals("test", e.labels().getString("environment"));
      assertEquals("2xx", e.labels().getString("status_class"));
      assertEquals("openai", e.labels().getString("protocol"));
      assertTrue(e.json().getString("session_id").startsWith("session-"));
    }
    assertEquals(written.stream().map(w -> w.getString("trace_id")).collect(Collectors.toSet()),
        loki.accepted().stream().map(e -> e.json().getString("trace_id")).collect(Collectors.toSet()));
    assertEquals(Set.of("a", "b"), loki.accepted().stream().map(e -> e.labels().getString("alias"))
        .collect(Collectors.toSet()));
    assertEquals(6.0, metric("llmproxy_capture_written_total", "sink", "loki"));
  }

  @Test
  void aSmallerBatchGoesAfterBatchWaitUncompressedWhenAskedSo(Vertx vertx) throws Exception {
    gateway(vertx, "batch_size: 100, batch_wait: 200ms, use_gzip: false");
    gw.post("/v1/chat/completions", GatewayHarness.chat("a", false));
    records.awaitOne();
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.accepted().size() == 1);
    assertEquals(false, loki.pushes().get(0).gzip());
    assertEquals(null, loki.pushes().get(0).headers().get("Content-Encoding"));
  }

  @Test
  void aLokiThatFailsTwiceThenRecoversGetsEveryEntry(Vertx vertx) throws Exception {
    loki.failNext(2, 500);
    gateway(vertx, "batch_size: 2, batch_wait: 100ms, retry_max: 5");
    for (int i = 0; i < 4; i++) {
      gw.post("/v1/chat/completions", GatewayHarness.chat("a", false));
    }
    List<JsonObject> written = records.await(4, Duration.ofSeconds(10));

    await().atMost(Duration.ofSeconds(20)).until(() -> loki.accepted().size() == 4);
    assertEquals(written.stream().map(w -> w.getString("id")).collect(Collectors.toSet()),
        loki.accepted().stream().map(e -> e.json().getString("id")).collect(Collectors.toSet()));
    assertEquals(List.of(500, 500), loki.pushes().subList(0, 2).stream().map(MockLoki.Push::answered).toList());
    assertEquals(0.0, metric("llmproxy_capture_failed_total", "sink", "loki"));
  }

  @Test
  void afterRetryMaxOrARefusalEntriesAreDroppedAndCountedAndLocalCaptureIsUnaffected(Vertx vertx)
      throws Exception {
    gateway(vertx, "batch_size: 1, batch_wait: 50ms, retry_max: 1");
    loki.failNext(2, 503);  // the first try and its one retry
    gw.post("/v1/chat/completions", GatewayHarness.chat("a", false));
    records.awaitOne();
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("llmproxy_capture_failed_total", "sink", "loki") == 1.0);
    assertEquals(2, loki.pushes().size());

    loki.failNext(1, 400);  // refused: resending cannot help, so no retry
    gw.post("/v1/chat/completions", GatewayHarness.chat("a", false));
    records.awaitOne();
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("llmproxy_capture_failed_total", "sink", "loki") == 2.0);
    assertEquals(3, loki.pushes().size());

    gw.post("/v1/chat/completions", GatewayHarness.chat("a", false));
    records.awaitOne();
    await().atMost(Duration.ofSeconds(10)).until(() -> loki.accepted().size() == 1);
    assertEquals(3, CaptureRecords.dataset(gw.dir().resolve("data")).size(), "the dataset has every record");
  }
}
