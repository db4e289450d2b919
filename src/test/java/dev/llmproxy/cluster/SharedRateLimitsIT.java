package dev.llmproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three replicas sharing one Redis admit what ONE gateway would: the limits are the fleet's, not N × each.
 * Bucket time is the shared hand-driven clock, so each simulated second refills exactly one second's tokens
 * however long the machine takes to serve a wave; every wave is sent to all three replicas at once.
 */
class SharedRateLimitsIT {

  private RedisServer redis;
  private Vertx upstreamVertx;
  private MockUpstream up;
  private Fleet fleet;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    upstreamVertx = Vertx.vertx();
    up = MockUpstream.start(upstreamVertx, "up");
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    up.close();
    upstreamVertx.close().await();
    redis.close();
  }

  private String yaml(String rateLimit) {
    return """
        listen: "127.0.0.1:0"
        backends:
          - {name: up, url: "%s"}
        models:
          a: [{backend: up, model: real-a}]
          b: [{backend: up, model: real-b}]
        """.formatted(up.url()) + rateLimit + Fleet.cluster(redis, "");
  }

  private Fleet fleet(String rateLimit) {
    fleet = Fleet.start(redis, MutableClock.startingNow(), 3, i -> yaml(rateLimit));
    fleet.awaitMode("redis");
    return fleet;
  }

  @Test
  void aGlobalLimitOf50RpsAdmits50PerSecondAcrossThreeReplicas() {
    fleet("rate_limit: {global_rps: 50, per_ip_rps: 0, burst_factor: 1}\n");
    long admitted = 0;
    int seconds = 4;
    for (int second = 0; second < seconds; second++) {
      // 120 requests (40 per replica) in one simulated second: the fleet has 50 tokens for it, not 3 × 50.
      List<Fleet.Answer> answers = fleet.wave(40, "127.0.0.1", "a");
      long ok = Fleet.count(answers, 200);
      assertEquals(answers.size(), ok + Fleet.count(answers, 429), "every answer is 200 or 429");
      assertTrue(ok >= 49 && ok <= 51, "50 ± 2 % admitted in simulated second " + second + ", got " + ok);
      for (Fleet.Answer a : answers) {
        assertEquals("50", a.header("X-RateLimit-Limit"));
        assertEquals("global", a.header("X-RateLimit-Scope"));
        if (a.status() == 429) {
          assertEquals("1", a.header("Retry-After"), "one token back within a second");
          assertEquals("0", a.header("X-RateLimit-Remaining"));
          assertEquals("rate_limit_exceeded", a.json().getJsonObject("error").getString("code"),
              "a 429 in the client's protocol: " + a.body());
        }
      }
      admitted += ok;
      fleet.clock.advance(Duration.ofSeconds(1));
    }
    assertEquals(admitted, up.count(), "the upstream received exactly the admitted requests");
    double perSecond = admitted / (double) seconds;
    assertTrue(Math.abs(perSecond - 50) <= 1, "50 rps ± 2 % in total over " + seconds + " s, got " + perSecond);
    long rejectedSeen = 0;
    for (int i = 0; i < 3; i++) {
      rejectedSeen += (long) fleet.metrics(i).value("llmproxy_rate_limit_rejections_total", "limit", "global");
    }
    assertEquals(4 * 120 - admitted, rejectedSeen, "every replica counts the rejections it answered");
  }

  @Test
  void perIpLimitsFollowTheClientAcrossReplicas() {
    fleet("rate_limit: {global_rps: 0, per_ip_rps: 10, burst_factor: 1}\n");
    for (int second = 0; second < 2; second++) {
      List<Fleet.Answer> two = fleet.wave(15, "127.0.0.2", "a");
      List<Fleet.Answer> three = fleet.wave(15, "127.0.0.3", "a");
      assertEquals(10, Fleet.count(two, 200), "client 127.0.0.2: its 10 per second, wherever it lands");
      assertEquals(10, Fleet.count(three, 200), "client 127.0.0.3: its own 10, untouched by 127.0.0.2");
      assertTrue(two.stream().filter(a -> a.status() == 429)
          .allMatch(a -> a.json().getJsonObject("error").getString("message").contains("127.0.0.2")));
      fleet.clock.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void perModelLimitsAreSharedAndOnlyApplyToTheirModel() {
    fleet("rate_limit: {global_rps: 0, per_ip_rps: 0, burst_factor: 1, per_model_rps: {a: 20}}\n");
    for (int second = 0; second < 2; second++) {
      List<Fleet.Answer> a = fleet.wave(20, "127.0.0.1", "a");
      List<Fleet.Answer> b = fleet.wave(10, "127.0.0.1", "b");
      assertEquals(20, Fleet.count(a, 200), "model a: 20 per second across the fleet");
      assertEquals(30, Fleet.count(b, 200), "model b has no limit");
      fleet.clock.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void aReloadedRateReachesTheSharedBucketAndAReplicaStillOnTheOldFileDoesNotFlipItBack() {
    fleet("rate_limit: {global_rps: 50, per_ip_rps: 0, burst_factor: 1}\n");
    assertEquals(50, Fleet.count(fleet.wave(20, "127.0.0.1", "a"), 200));
    fleet.clock.advance(Duration.ofSeconds(1));

    // Replica 0 reloads a lower rate; replicas 1 and 2 have not seen the new file yet.
    fleet.replica(0).rewriteConfig(yaml("rate_limit: {global_rps: 10, per_ip_rps: 0, burst_factor: 1}\n"));
    assertEquals(200, fleet.chatNow(0, "a").status(), "the first request under the new rate replaces the bucket's");
    List<Fleet.Answer> mixed = fleet.wave(20, "127.0.0.1", "a");
    assertEquals(9, Fleet.count(mixed, 200), "the bucket holds 10 now, whichever replica asks (one taken above)");
    fleet.clock.advance(Duration.ofSeconds(1));
    assertEquals(10, Fleet.count(fleet.wave(20, "127.0.0.1", "a"), 200), "and refills at 10 per second");
  }
}
