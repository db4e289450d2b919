package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.observability.Metrics.Move;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.support.PromText;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private final Metrics metrics = new Metrics();

  private PromText scrape() {
    return PromText.parse(metrics.scrape());
  }

  @Test
  void fallbacksAreCountedByLevel() {
    metrics.fallback("gpt-4", Move.L1);
    metrics.fallback("gpt-4", Move.L1);
    metrics.fallback("gpt-4", Move.L2);
    PromText p = scrape();
    assertEquals(2, p.value("llmproxy_fallbacks_total", "alias", "gpt-4", "level", "L1"));
    assertEquals(1, p.value("llmproxy_fallbacks_total", "alias", "gpt-4", "level", "L2"));
  }

  @Test
  void movesCompareEachAttemptWithTheOneBefore() {
    List<AttemptRecord> attempts = List.of(
        new AttemptRecord("gpt-4", "openai", "gpt-4o", 429, "rate limited", 10),
        new AttemptRecord("gpt-4", "openai", "gpt-4o", 503, "server error", 10),
        new AttemptRecord("gpt-4", "azure", "gpt-4o", 0, "connection failed", 1),
        new AttemptRecord("cheap", "local", "echo", 500, "server error", 2),
        new AttemptRecord("cheap", "other", "echo", 200, "accepted", 2));
    assertEquals(List.of(Move.RETRY, Move.L1, Move.L2, Move.L1), Metrics.moves(attempts));
    assertEquals(List.of(), Metrics.moves(attempts.subList(0, 1)));
  }

  @Test
  void clientConnectionCountersStillReadTheirSourceAfterAGarbageCollection() {
    AtomicLong refused = new AtomicLong(7);
    AtomicLong idle = new AtomicLong(3);
    // Method references nobody else holds: a counter holding them weakly would read 0 once they are collected.
    metrics.bindClientConnections(() -> 2, refused::get, limit -> limit.equals("idle_timeout") ? idle.get() : 0);
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    PromText p = scrape();
    assertEquals(7, p.value("llmproxy_client_connections_refused_total"));
    assertEquals(3, p.value("llmproxy_client_connections_timed_out_total", "limit", "idle_timeout"));
    assertEquals(2, p.value("llmproxy_client_connections"));
  }

  @Test
  void cooldownGaugeFollowsTheState() {
    metrics.cooldown("openai", "gpt-4o", true);
    metrics.cooldown("anthropic", "claude", false);
    PromText p = scrape();
    assertEquals(1, p.value("llmproxy_cooldown_active", "backend", "openai", "model", "gpt-4o"));
    assertEquals(0, p.value("llmproxy_cooldown_active", "backend", "anthropic", "model", "claude"));
    metrics.cooldown("openai", "gpt-4o", false);
    assertEquals(0, scrape().value("llmproxy_cooldown_active", "backend", "openai", "model", "gpt-4o"));
    assertEquals(2, scrape().series("llmproxy_cooldown_active").size(), "one series per route, not per call");
  }

  @Test
  void cooldownGaugeCanReadTheStateAtScrapeTime() {
    java.util.concurrent.atomic.AtomicBoolean cooling = new java.util.concurrent.atomic.AtomicBoolean(true);
    metrics.cooldown("openai", "gpt-4o", cooling::get);
    assertEquals(1, scrape().value("llmproxy_cooldown_active", "backend", "openai", "model", "gpt-4o"));
    cooling.set(false);  // e.g. the cooldown's time ran out on the registry's clock
    assertEquals(0, scrape().value("llmproxy_cooldown_active", "backend", "openai", "model", "gpt-4o"));
  }

  @Test
  void everyConfiguredRouteGetsACooldownGauge(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("config.yaml");
    java.nio.file.Files.writeString(file, """
        backends:
          - {name: a, type: echo}
          - {name: b, type: echo}
        models:
          m: [{backend: a, model: x}, {backend: b, model: y, priority: 2}]
        """);
    var snapshot = dev.llmproxy.support.ConfigFiles.load(file);
    metrics.bindCooldowns(snapshot, (backend, model) -> backend.equals("a"));
    PromText p = scrape();
    assertEquals(1, p.value("llmproxy_cooldown_active", "backend", "a", "model", "x"));
    assertEquals(0, p.value("llmproxy_cooldown_active", "backend", "b", "model", "y"));
    assertEquals(2, p.series("llmproxy_cooldown_active").size());
  }

  @Test
  void rateLimitAndQueueRejectionsAreReadFromTheirCounters() {
    java.util.concurrent.atomic.AtomicLong perIp = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong queueFull = new java.util.concurrent.atomic.AtomicLong();
    metrics.bindRateLimitRejections("per_ip", perIp::get);
    metrics.bindQueueRejections("queue_full", queueFull::get);
    perIp.addAndGet(3);
    queueFull.incrementAndGet();
    PromText p = scrape();
    assertEquals(3, p.value("llmproxy_rate_limit_rejections_total", "limit", "per_ip"));
    assertEquals(1, p.value("llmproxy_queue_rejections_total", "reason", "queue_full"));
  }

  @Test
  void queueDepthAndInFlightAreReadAtScrapeTime() {
    AtomicInteger queued = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    metrics.bindQueueDepth(queued::get);
    metrics.bindInFlight(inFlight::get);
    assertEquals(0, scrape().value("llmproxy_queue_depth"));
    queued.set(7);
    inFlight.set(3);
    PromText p = scrape();
    assertEquals(7, p.value("llmproxy_queue_depth"));
    assertEquals(3, p.value("llmproxy_in_flight_requests"));
    assertEquals(7, metrics.queueDepth());
  }

  @Test
  void configReloadsAreCountedByResult() {
    metrics.configReload(true);
    metrics.configReload(false);
    metrics.configReload(true);
    PromText p = scrape();
    assertEquals(2, p.value("llmproxy_config_reloads_total", "result", "ok"));
    assertEquals(1, p.value("llmproxy_config_reloads_total", "result", "failed"));
  }

  @Test
  void upstreamErrorsAreCountedByBackendAndKind() {
    metrics.upstreamError("openai", "connect");
    metrics.upstreamError("openai", "header_timeout");
    assertEquals(2, scrape().value("llmproxy_upstream_errors_total", "backend", "openai"));
    assertEquals(1, scrape().value("llmproxy_upstream_errors_total", "kind", "connect"));
  }

  @Test
  void labelValuesAreCappedSoAGrowingConfigCannotExplodeTheSeries() {
    for (int i = 0; i < Metrics.MAX_LABEL_VALUES + 50; i++) {
      metrics.upstreamError("backend-" + i, "connect");
    }
    assertEquals(Metrics.MAX_LABEL_VALUES, scrape().series("llmproxy_upstream_errors_total").size());
  }

  @Test
  void statusClasses() {
    assertEquals("2xx", Metrics.statusClass(200));
    assertEquals("4xx", Metrics.statusClass(499));
    assertEquals("5xx", Metrics.statusClass(503));
    assertEquals("other", Metrics.statusClass(0));
  }

  @Test
  void exposesJvmMetricsToo() {
    assertTrue(scrape().has("jvm_memory_used_bytes"));
  }
}
