package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PromText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Capture never slows or breaks proxying: a writer that cannot keep up (its store locked by another process)
 * fills a tiny queue, and further records are dropped, counted and warned about once, while every request is
 * served; a dataset directory that cannot be written loses lines (the store still gets them), and capture
 * resumes by itself when the directory can be written again.
 */
@ExtendWith(VertxExtension.class)
class CaptureResilienceIT {

  private MockUpstream upstream;
  private GatewayHarness gw;
  private CaptureRecords records;

  @BeforeEach
  void upstream(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up");
  }

  private void start(Vertx vertx, String capture) {
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", api_key: "resilience-key-1234"}]
        models: {m: [{backend: up, model: real}]}
        capture:
        %s
        """.formatted(upstream.url(), capture.indent(2)));
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
  }

  private double metric(String name, String... labels) {
    return PromText.parse(gw.get("/metrics").body()).value(name, labels);
  }

  @Test
  void aSlowWriterWithATinyQueueDropsAndCountsRecordsWhileEveryRequestIsServed(Vertx vertx) throws Exception {
    start(vertx, """
        queue_size: 1
        directory: data
        store: {type: sqlite, path: data/requests.db}
        """);
    assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
    records.awaitOne();  // the store is connected and migrated

    int sent = 12;
    try (LogCapture warnings = LogCapture.of(Capture.class);
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + gw.dir().resolve("data/requests.db"));
        Statement lock = other.createStatement()) {
      // Another process holds the database's write lock: the writer waits on it (busy timeout) for each batch.
      lock.execute("BEGIN EXCLUSIVE");
      for (int i = 0; i < sent; i++) {
        assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
      }
      double dropped = metric("llmproxy_capture_dropped_total");
      assertTrue(dropped >= sent - 3, "dropped " + dropped + " of " + sent);
      lock.execute("COMMIT");
      assertEquals(1, warnings.lines().stream().filter(l -> l.contains("queue full")).count(),
          "one warning for many drops: " + warnings.lines());
    }
    // Capture goes on once the writer can: when it has taken what it kept from the lock (the queue is empty), the
    // next request's record goes through every sink (its summary is published after its dataset line: awaited).
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> metric("llmproxy_capture_queue_depth") == 0.0);
    assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false), "X-Trace-ID", "t-after")
        .statusCode());
    while (!"t-after".equals(records.awaitOne().getString("trace_id"))) {
      // records kept from the lock
    }
    // Every request is either in the dataset or counted as dropped.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(sent + 2,
        CaptureRecords.dataset(gw.dir().resolve("data")).size() + (long) metric("llmproxy_capture_dropped_total")));
  }

  @Test
  void anUnwritableDatasetDirectoryKeepsServingAndCaptureResumesByItself(Vertx vertx) throws Exception {
    start(vertx, """
        directory: blocked
        store: {type: sqlite, path: db/requests.db}
        """);
    Path blocked = gw.dir().resolve("blocked");
    Files.writeString(blocked, "a file where the dataset directory should be");

    try (LogCapture warnings = LogCapture.of(Capture.class); LogCapture logs = LogCapture.of(JsonlDataset.class)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
      }
      records.await(3, Duration.ofSeconds(10));
      assertEquals(3.0, metric("llmproxy_capture_failed_total", "sink", "jsonl"));
      assertEquals(3.0, metric("llmproxy_capture_written_total", "sink", "store"));
      assertEquals(1, warnings.lines().stream().filter(l -> l.contains("cannot write the dataset")).count(),
          "one warning a minute at most: " + warnings.lines());

      Files.delete(blocked);
      assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
      JsonObject back = records.awaitOne();
      assertEquals(back.getString("id"), CaptureRecords.dataset(blocked).get(0).getString("id"));
      assertTrue(logs.lines().stream().anyMatch(l -> l.contains("writable again")), logs.lines().toString());
    }
    JsonObject page = new JsonObject(gw.get("/admin/requests?limit=100").body());
    assertEquals(4, page.getJsonArray("data").size(), "the store has every record: " + page.encode());
  }

  @Test
  void captureOffByConfigCostsNothingAndWritesNothing(Vertx vertx) throws Exception {
    start(vertx, """
        enabled: false
        directory: data
        store: {type: none}
        """);
    assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
    assertEquals(404, gw.get("/admin/requests").statusCode());
    Path dir = gw.dir();
    gw.close();  // writes out whatever capture had queued
    gw = null;
    assertTrue(records.drain().isEmpty());
    assertTrue(!Files.exists(dir.resolve("data")), "no dataset while capture is off");
  }
}
