package dev.llmproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.ProxyProcess;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code concurrency.per_backend_limit} counted across the fleet ({@code cluster.per_backend_limit: fleet}). */
class FleetSlotsIT {

  private static final String SLOTS = "llm-proxy:slots:primary";

  private RedisServer redis;
  private Vertx upstreamVertx;
  private final List<MockUpstream> primary = new ArrayList<>();
  private MockUpstream secondary;
  private final Promise<Void> answerPrimaries = Promise.promise();
  private Fleet fleet;

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    upstreamVertx = Vertx.vertx();
    for (int i = 0; i < 3; i++) {
      primary.add(MockUpstream.start(upstreamVertx, "primary-" + i).always((req, body, up) ->
          answerPrimaries.future().onComplete(v -> MockUpstream.chat("from primary").send(req, body, up))));
    }
    secondary = MockUpstream.start(upstreamVertx, "secondary");
  }

  @AfterEach
  void stop() {
    answerPrimaries.tryComplete();
    if (fleet != null) {
      fleet.close();
    }
    primary.forEach(MockUpstream::close);
    secondary.close();
    upstreamVertx.close().await();
    redis.close();
  }

  private String yaml(int i) {
    return yaml(i, true, 2);
  }

  /** @param withSecondary whether the alias has a second route to fall back to when primary is full */
  private String yaml(int i, boolean withSecondary, int perBackendLimit) {
    String yaml = """
        listen: "127.0.0.1:0"
        backends:
          - {name: primary, url: "%s"}
          - {name: secondary, url: "%s"}
        models:
          m:
            - {backend: primary, model: real, priority: 1}
            - {backend: secondary, model: real, priority: 2}
        concurrency: {max_requests: 100, per_backend_limit: 2, queue_timeout: 10s}
        cluster:
          redis: {url: "%s", timeout: 2s}
          per_backend_limit: fleet
          lease_ttl: 30s
        """.formatted(primary.get(i).url(), secondary.url(), redis.url());
    yaml = yaml.replace("per_backend_limit: 2,", "per_backend_limit: " + perBackendLimit + ",");
    return withSecondary ? yaml : yaml.replace("    - {backend: secondary, model: real, priority: 2}\n", "");
  }

  private int primaryCount() {
    return primary.stream().mapToInt(MockUpstream::count).sum();
  }

  @Test
  void twoSlotsHeldOnTwoReplicasFillTheBackendForTheThird() {
    fleet = Fleet.start(redis, MutableClock.startingNow(), 3, this::yaml);
    fleet.awaitMode("redis");
    var first = fleet.chat(0, "127.0.0.1", "m");
    var second = fleet.chat(1, "127.0.0.1", "m");
    Awaitility.await("both requests reach primary").atMost(Duration.ofSeconds(30)).until(() -> primaryCount() == 2);
    assertEquals(":2", redis.command("ZCARD " + SLOTS), "two leases in Redis");

    Fleet.Answer third = fleet.chatNow(2, "m");
    assertEquals(200, third.status());
    assertEquals("secondary", third.header("X-LLM-Proxy-Backend"), "primary is full fleet-wide");
    assertEquals(0, primary.get(2).count(), "replica 2 alone held no slot, yet sent primary nothing");

    answerPrimaries.complete();
    assertEquals("primary", Fleet.await(first).header("X-LLM-Proxy-Backend"));
    assertEquals("primary", Fleet.await(second).header("X-LLM-Proxy-Backend"));
    Awaitility.await("released leases leave Redis").atMost(Duration.ofSeconds(10))
        .until(() -> redis.command("ZCARD " + SLOTS).equals(":0"));
    assertEquals("primary", fleet.chatNow(2, "m").header("X-LLM-Proxy-Backend"), "free again for everyone");
  }

  @Test
  void aRequestWaitingForAFullBackendIsServedWhenAnotherReplicaReleases() {
    fleet = Fleet.start(redis, MutableClock.startingNow(), 2, i -> yaml(i, false, 1));
    fleet.awaitMode("redis");
    var holder = fleet.chat(0, "127.0.0.1", "m");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> primary.get(0).count() == 1);
    var waiter = fleet.chat(1, "127.0.0.1", "m");
    Awaitility.await("replica 1 waits for the fleet's only slot").atMost(Duration.ofSeconds(30))
        .until(() -> fleet.metrics(1).value("llmproxy_queue_depth") == 1.0);
    assertEquals(0, primary.get(1).count());
    answerPrimaries.complete();  // replica 0's request ends and gives its slot back
    assertEquals(200, Fleet.await(holder).status());
    Fleet.Answer served = Fleet.await(waiter);
    assertEquals(200, served.status(), served.body());
    assertEquals(1, primary.get(1).count(), "served by primary once the slot was free, well before queue_timeout");
  }

  @Test
  void theSlotsOfAKilledReplicaExpireAfterTheLeaseTtl() throws Exception {
    ProxyProcess doomed = ProxyProcess.start(yaml(0));
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    try {
      for (int n = 0; n < 2; n++) {
        held.add(client.sendAsync(HttpRequest.newBuilder(URI.create(doomed.baseUrl() + Fleet.CHAT))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", false))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      Awaitility.await("the doomed replica holds both slots").atMost(Duration.ofSeconds(30))
          .until(() -> primary.get(0).count() == 2 && redis.command("ZCARD " + SLOTS).equals(":2"));
    } finally {
      doomed.process().destroyForcibly();  // SIGKILL: no release, no goodbye
      doomed.process().waitFor(30, TimeUnit.SECONDS);
    }

    // The survivor's clock starts now: the doomed replica's leases end 30 s after it took them, on real time.
    MutableClock clock = new MutableClock(Instant.now());
    fleet = Fleet.start(redis, clock, 1, i -> yaml(1));
    fleet.awaitMode("redis");
    Fleet.Answer whileLeased = fleet.chatNow(0, "m");
    assertEquals("secondary", whileLeased.header("X-LLM-Proxy-Backend"), "the dead replica's slots still count");
    assertEquals(0, primary.get(1).count());

    clock.advance(Duration.ofMinutes(2));  // well past lease_ttl since the leases were last renewed
    answerPrimaries.complete();
    Fleet.Answer afterExpiry = fleet.chatNow(0, "m");
    assertEquals("primary", afterExpiry.header("X-LLM-Proxy-Backend"), "expired leases no longer count");
    assertEquals(1, primary.get(1).count());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis.command("ZCARD " + SLOTS).equals(":0"));
  }
}
