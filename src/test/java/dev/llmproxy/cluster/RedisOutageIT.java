package dev.llmproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis going away and coming back under three replicas: requests are never held longer than
 * {@code cluster.redis.timeout} (plus the proxy's own work), {@code on_unavailable} decides what they get, and the
 * replicas share again, with what they learnt alone, once Redis answers.
 */
class RedisOutageIT {

  private static final int TIMEOUT_MS = 100;
  /**
   * What a request may take beyond the Redis timeout here: the proxy, the mock upstream and the client on a busy
   * 2-core machine. Generous on purpose: without the bound a request would wait for the client library's own
   * timeout (60 s) or forever; the real added latency is measured in bench/ (docs/benchmarks.md).
   */
  private static final long SLACK_MS = 1500;

  private RedisServer redis;
  private Vertx upstreamVertx;
  private final List<MockUpstream> primary = new ArrayList<>();
  private MockUpstream secondary;
  private Fleet fleet;

  @BeforeEach
  void upstreams() {
    redis = RedisServer.start();
    upstreamVertx = Vertx.vertx();
    for (int i = 0; i < 3; i++) {
      primary.add(MockUpstream.start(upstreamVertx, "primary-" + i));
    }
    secondary = MockUpstream.start(upstreamVertx, "secondary");
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    primary.forEach(MockUpstream::close);
    secondary.close();
    upstreamVertx.close().await();
    redis.close();
  }

  private Fleet fleet(int replicas, String onUnavailable) {
    return fleet(replicas, onUnavailable, TIMEOUT_MS);
  }

  /** @param timeoutMs a test that must not see a spurious timeout under load (a 503 in reject mode) allows more */
  private Fleet fleet(int replicas, String onUnavailable, int timeoutMs) {
    fleet = Fleet.start(redis, MutableClock.startingNow(), replicas, i -> """
        listen: "127.0.0.1:0"
        backends:
          - {name: primary, url: "%s"}
          - {name: secondary, url: "%s"}
        models:
          m:
            - {backend: primary, model: real, priority: 1}
            - {backend: secondary, model: real, priority: 2}
        fallback: {retry_same_route: 0}
        rate_limit: {global_rps: 100000, per_ip_rps: 100000}
        cluster:
          redis: {url: "%s", timeout: %dms, on_unavailable: %s}
        """.formatted(primary.get(i).url(), secondary.url(), redis.url(), timeoutMs, onUnavailable));
    fleet.awaitMode("redis");
    return fleet;
  }

  private void assertBounded(List<Fleet.Answer> answers, int status) {
    assertBounded(answers, status, TIMEOUT_MS);
  }

  private void assertBounded(List<Fleet.Answer> answers, int status, int timeoutMs) {
    long slowest = 0;
    for (Fleet.Answer a : answers) {
      assertEquals(status, a.status(), a.body());
      slowest = Math.max(slowest, a.millis());
    }
    System.out.printf("slowest of %d answers while Redis was unavailable: %d ms (timeout %d ms)%n",
        answers.size(), slowest, timeoutMs);
    assertTrue(slowest <= timeoutMs + SLACK_MS, "a request waited " + slowest + " ms");
  }

  @Test
  void redisKilledEveryReplicaServesLocallyThenSharesWhatItLearntWhenRedisIsBack() {
    fleet(3, "local");
    assertEquals(200, fleet.chatNow(0, "m").status());

    redis.kill();
    assertBounded(fleet.wave(5, "127.0.0.1", "m"), 200);
    fleet.awaitMode("local");
    for (int i = 0; i < 3; i++) {
      assertTrue(fleet.metrics(i).value("llmproxy_cluster_redis_errors_total") >= 1, "errors counted");
      assertEquals(1.0, fleet.metrics(i).value("llmproxy_cluster_mode", "mode", "local"));
      assertEquals(0.0, fleet.metrics(i).value("llmproxy_cluster_mode", "mode", "redis"));
    }

    // Alone, replica 0 learns that primary is rate limited; the others cannot hear of it yet.
    primary.get(0).always(MockUpstream.status(429, "{\"error\":{\"type\":\"rate_limit_error\"}}"));
    assertEquals("secondary", fleet.chatNow(0, "m").header("X-LLM-Proxy-Backend"));
    assertTrue(fleet.cooling(0, "primary", "real"));
    assertFalse(fleet.cooling(1, "primary", "real"));

    int before1 = primary.get(1).count();
    int before2 = primary.get(2).count();
    redis.restart();
    fleet.awaitMode("redis");
    // Re-sync: replica 0 pushed its circuit, and the others skip primary from now on.
    for (int i = 1; i < 3; i++) {
      int replica = i;
      Awaitility.await("replica " + i + " learns the circuit opened during the outage")
          .atMost(RedisServer.NOTICE).until(() -> fleet.cooling(replica, "primary", "real"));
      assertEquals("secondary", fleet.chatNow(i, "m").header("X-LLM-Proxy-Backend"));
    }
    assertEquals(before1, primary.get(1).count(), "replica 1 sent primary nothing after the re-sync");
    assertEquals(before2, primary.get(2).count(), "replica 2 sent primary nothing after the re-sync");
  }

  @Test
  void aFrozenRedisNeverHoldsARequestLongerThanTheTimeout() {
    fleet(3, "local");
    redis.freeze();
    try {
      assertBounded(fleet.wave(5, "127.0.0.1", "m"), 200);
      fleet.awaitMode("local");
      assertBounded(fleet.wave(5, "127.0.0.1", "m"), 200);
    } finally {
      redis.thaw();
    }
    fleet.awaitMode("redis");
    assertEquals(200, fleet.chatNow(1, "m").status());
  }

  @Test
  void rejectModeAnswers503WhileRedisIsDownAndServesAgainWhenItIsBack() {
    fleet(2, "reject", 2000);
    assertEquals(200, fleet.chatNow(0, "m").status());
    redis.kill();
    List<Fleet.Answer> refused = fleet.wave(5, "127.0.0.1", "m");
    Awaitility.await().atMost(RedisServer.NOTICE).until(() -> fleet.chatNow(1, "m").status() == 503);
    for (Fleet.Answer a : refused) {
      if (a.status() == 503) {
        assertEquals("1", a.header("Retry-After"));
        assertTrue(a.json().getJsonObject("error").getString("message").contains("on_unavailable is reject"),
            a.body());
      }
    }
    // Calls already sent when Redis died wait for the timeout (the client would replay them on reconnect);
    // calls made after the client noticed are refused at once.
    assertBounded(refused.stream().filter(a -> a.status() == 503).toList(), 503, 2000);
    Fleet.Answer later = fleet.chatNow(0, "m");
    assertEquals(503, later.status(), "nothing passes unchecked while Redis is down");
    int served = primary.get(0).count() + primary.get(1).count() + secondary.count();

    redis.restart();
    fleet.awaitMode("redis");
    assertEquals(200, fleet.chatNow(0, "m").status());
    assertEquals(200, fleet.chatNow(1, "m").status());
    assertEquals(served + 2, primary.get(0).count() + primary.get(1).count() + secondary.count());
  }
}
