package dev.llmproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Circuits shared by three replicas: each replica has its own mock for the backend {@code primary} (same name, as
 * in one config deployed N times), so the test sees which replica sent what. Time is one hand-driven clock.
 */
class SharedCooldownsIT {

  private RedisServer redis;
  private Vertx upstreamVertx;
  private final List<MockUpstream> primary = new ArrayList<>();
  private final List<MockUpstream> secondary = new ArrayList<>();
  private Fleet fleet;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    upstreamVertx = Vertx.vertx();
    for (int i = 0; i < 3; i++) {
      primary.add(MockUpstream.start(upstreamVertx, "primary-" + i));
      secondary.add(MockUpstream.start(upstreamVertx, "secondary-" + i));
    }
    fleet = Fleet.start(redis, MutableClock.startingNow(), 3, i -> """
        listen: "127.0.0.1:0"
        backends:
          - {name: primary, url: "%s"}
          - {name: secondary, url: "%s"}
        models:
          m:
            - {backend: primary, model: real, priority: 1}
            - {backend: secondary, model: real, priority: 2}
        fallback: {retry_same_route: 0, cooldown_initial_seconds: 10}
        """.formatted(primary.get(i).url(), secondary.get(i).url()) + Fleet.cluster(redis, ""));
    fleet.awaitMode("redis");
  }

  @AfterEach
  void stop() {
    fleet.close();
    primary.forEach(MockUpstream::close);
    secondary.forEach(MockUpstream::close);
    upstreamVertx.close().await();
    redis.close();
  }

  private int primaryCount() {
    return primary.stream().mapToInt(MockUpstream::count).sum();
  }

  @Test
  void a429StormOnOneReplicaCoolsTheBackendForTheOthersThenExactlyOneProbeGoesOut() {
    primary.get(0).always(MockUpstream.status(429, "{\"error\":{\"type\":\"rate_limit_error\"}}"));
    Fleet.Answer first = fleet.chatNow(0, "m");
    assertEquals(200, first.status());
    assertEquals("secondary", first.header("X-LLM-Proxy-Backend"), "replica 0 fell back after the 429");
    assertEquals(1, primary.get(0).count());

    long announced = System.nanoTime();
    for (int i = 1; i < 3; i++) {
      int replica = i;
      Awaitility.await("replica " + i + " learns the cooldown").atMost(RedisServer.NOTICE)
          .pollInterval(Duration.ofMillis(5)).until(() -> fleet.cooling(replica, "primary", "real"));
    }
    System.out.printf("cooldown seen by replicas 1 and 2 within %.1f ms (polling /metrics every 5 ms)%n",
        (System.nanoTime() - announced) / 1e6);

    List<Future<Fleet.Answer>> during = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      during.add(fleet.chat(1, "127.0.0.1", "m"));
      during.add(fleet.chat(2, "127.0.0.1", "m"));
    }
    for (Fleet.Answer a : Fleet.all(during)) {
      assertEquals(200, a.status());
      assertEquals("secondary", a.header("X-LLM-Proxy-Backend"));
    }
    assertEquals(0, primary.get(1).count(), "replica 1 sent nothing to the cooling backend");
    assertEquals(0, primary.get(2).count(), "replica 2 sent nothing to the cooling backend");

    // The cooldown ends for everyone at once; every replica would now probe, and exactly one may.
    Promise<Void> releaseProbe = Promise.promise();
    for (MockUpstream p : primary) {
      p.reset();  // forget replica 0's 429: from here on, every request a primary receives is a probe
      p.always((req, body, up) ->
          releaseProbe.future().onComplete(v -> MockUpstream.chat("probe ok").send(req, body, up)));
    }
    fleet.clock.advance(Duration.ofSeconds(11));
    List<Future<Fleet.Answer>> after = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      for (int i = 0; i < 3; i++) {
        after.add(fleet.chat(i, "127.0.0.1", "m"));
      }
    }
    Awaitility.await("the probe reaches a primary").atMost(Duration.ofSeconds(30)).until(() -> primaryCount() >= 1);
    Awaitility.await("the other 14 requests are served").atMost(Duration.ofSeconds(30))
        .until(() -> after.stream().filter(Future::isComplete).count() == 14);
    assertEquals(1, primaryCount(), "exactly one probe across the three replicas");
    assertEquals(14, after.stream().filter(Future::isComplete)
        .filter(f -> "secondary".equals(f.result().header("X-LLM-Proxy-Backend"))).count());

    releaseProbe.complete();
    Fleet.all(after);
    // The probe's success closes the circuit everywhere.
    for (int i = 0; i < 3; i++) {
      int replica = i;
      Awaitility.await("replica " + i + " sees the circuit closed").atMost(RedisServer.NOTICE)
          .pollInterval(Duration.ofMillis(5)).until(() -> !fleet.cooling(replica, "primary", "real"));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals("primary", fleet.chatNow(i, "m").header("X-LLM-Proxy-Backend"), "replica " + i);
    }
    assertTrue(redis.command("EXISTS llm-proxy:cooldown:primary/real").equals(":0"), "the record is gone");
  }
}
