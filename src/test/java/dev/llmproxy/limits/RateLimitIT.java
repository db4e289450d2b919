package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.FreePort;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rate limits, black-box through the gateway's port. */
@ExtendWith(VertxExtension.class)
class RateLimitIT {

  private static final String CHAT = "/v1/chat/completions";

  private MockUpstream up;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void upstream(Vertx vertx) {
    up = MockUpstream.start(vertx, "up");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    up.close();
  }

  private GatewayHarness gateway(Vertx vertx, String limits, int instances) {
    // Several instances need a fixed port to share: the first one binds it, the others join it.
    int port = instances > 1 ? FreePort.loopback() : 0;
    GatewayHarness gw = GatewayHarness.start(vertx, "listen: \"127.0.0.1:" + port + "\"\n" + """
        backends:
          - {name: up, url: "%s"}
        models:
          a: [{backend: up, model: real-a}]
          b: [{backend: up, model: real-b}]
        """.formatted(up.url()) + limits, Map.of(), instances);
    closing.add(gw);
    return gw;
  }


  private LoopbackClient client(Vertx vertx, GatewayHarness gw, String from, int connections) {
    LoopbackClient c = new LoopbackClient(vertx, from, gw.gateway().port(), connections);
    closing.add(c);
    return c;
  }

  private static List<LoopbackClient.Answer> all(List<Future<LoopbackClient.Answer>> futures) throws Exception {
    Future.all(futures).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return futures.stream().map(Future::result).toList();
  }

  private static List<LoopbackClient.Answer> burst(LoopbackClient c, int n, String model) throws Exception {
    List<Future<LoopbackClient.Answer>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(c.post(CHAT, GatewayHarness.chat(model, false)));
    }
    return all(futures);
  }

  private static long count(List<LoopbackClient.Answer> answers, int status) {
    return answers.stream().filter(a -> a.status() == status).count();
  }

  @Test
  void globalBurstGetsCapacityThroughAndTheRest429WithRetryAfterThenRefills(Vertx vertx) throws Exception {
    // Two event loops, one verticle each, share the one global bucket.
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 20, per_ip_rps: 0, burst_factor: 1}\n", 2);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 100);
    // Open the 100 connections first, so the burst itself is only requests.
    List<Future<LoopbackClient.Answer>> warm = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      warm.add(c.get("/health"));
    }
    all(warm);

    long started = System.nanoTime();
    List<LoopbackClient.Answer> answers = burst(c, 100, "a");
    double seconds = (System.nanoTime() - started) / 1e9;

    long ok = count(answers, 200);
    long limited = count(answers, 429);
    assertEquals(100, ok + limited, "every answer is 200 or 429");
    // Tokens come back continuously at 20/s, so a burst that took T seconds may see 20·T more.
    long allowance = (long) Math.ceil(seconds * 20);
    assertTrue(ok >= 20 && ok <= 20 + allowance, ok + " accepted in a " + seconds + " s burst");
    System.out.printf("burst of 100 in %.3f s: %d accepted, %d rejected%n", seconds, ok, limited);
    assertEquals(ok, up.count(), "the upstream received exactly the accepted requests");

    for (LoopbackClient.Answer a : answers) {
      assertNotNull(a.header("X-RateLimit-Limit"), "rate-limit headers on every answer");
      assertNotNull(a.header("X-RateLimit-Remaining"));
      assertNotNull(a.header("X-RateLimit-Reset"));
      if (a.status() == 429) {
        assertEquals("1", a.header("Retry-After"));
        assertEquals("20", a.header("X-RateLimit-Limit"));
        assertEquals("0", a.header("X-RateLimit-Remaining"));
        assertEquals("global", a.header("X-RateLimit-Scope"));
        var error = a.json().getJsonObject("error");
        assertEquals("rate_limit_exceeded", error.getString("type"));
        assertTrue(error.getString("message").contains("global limit of 20 requests/s"), error.getString("message"));
      }
    }
    assertEquals(limited, gw.gateway().services().traffic().rejections().get("global"));

    // Refill: the one wait that is the behaviour itself. Reset says when the bucket is full again.
    long reset = answers.stream().filter(a -> a.status() == 429)
        .mapToLong(a -> Long.parseLong(a.header("X-RateLimit-Reset"))).max().orElse(1);
    assertTrue(reset >= 1 && reset <= 2, "reset " + reset);
    Thread.sleep(1050);
    List<LoopbackClient.Answer> again = burst(c, 10, "a");
    assertEquals(10, count(again, 200), "a second later the bucket has refilled");
  }

  // The tests below use 1 token/s and a larger capacity, so that a slow (shared) machine refilling a token or two
  // during a test cannot change its outcome; the allowance covers exactly the refill time that passed.

  private static long allowance(long startedNanos) {
    return (long) Math.ceil((System.nanoTime() - startedNanos) / 1e9);
  }

  @Test
  void anthropicClientsGetTheRejectionInTheirShape(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 1, per_ip_rps: 0, burst_factor: 3}\n", 1);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 8);
    String body = "{\"model\":\"a\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    List<Future<LoopbackClient.Answer>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      futures.add(c.post("/v1/messages", body));
    }
    LoopbackClient.Answer a = all(futures).stream().filter(x -> x.status() == 429).findFirst()
        .orElseThrow(() -> new AssertionError("8 requests against a capacity of 3 saw no 429"));
    assertEquals("error", a.json().getString("type"));
    assertEquals("rate_limit_error", a.json().getJsonObject("error").getString("type"));
    assertEquals("1", a.header("Retry-After"));
  }

  @Test
  void perIpLimitsIsolateClientAddresses(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 0, per_ip_rps: 1, burst_factor: 10}\n", 1);
    LoopbackClient one = client(vertx, gw, "127.0.0.1", 15);
    LoopbackClient two = client(vertx, gw, "127.0.0.2", 10);

    long started = System.nanoTime();
    List<LoopbackClient.Answer> first = burst(one, 15, "a");
    long ok = count(first, 200);
    assertTrue(ok >= 10 && ok <= 10 + allowance(started), ok + " accepted from 127.0.0.1");
    assertEquals(15 - ok, count(first, 429));
    first.stream().filter(a -> a.status() == 429).forEach(a -> {
      assertEquals("per_ip", a.header("X-RateLimit-Scope"));
      assertTrue(a.json().getJsonObject("error").getString("message").contains("127.0.0.1"));
    });
    // X-Forwarded-For from an untrusted peer is ignored: no escaping into a fresh bucket (which would show 9 left).
    LoopbackClient.Answer forged = one.post(CHAT, GatewayHarness.chat("a", false), Map.of("X-Forwarded-For", "9.9.9.9"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(Long.parseLong(forged.header("X-RateLimit-Remaining")) <= allowance(started),
        "still 127.0.0.1's bucket: " + forged.header("X-RateLimit-Remaining"));
    int upstreamBefore = up.count();

    List<LoopbackClient.Answer> second = burst(two, 10, "a");
    assertEquals(10, count(second, 200), "127.0.0.2 has its own, full bucket");
    assertEquals("127.0.0.2", up.last().header("X-Forwarded-For"), "upstream saw the second client's address");
    assertEquals(upstreamBefore + 10, up.count());
  }

  @Test
  void trustedProxyForwardedForSelectsTheBucket(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, """
        rate_limit: {global_rps: 0, per_ip_rps: 1, burst_factor: 100}
        trusted_proxies: ["127.0.0.1"]
        """, 1);
    LoopbackClient proxy = client(vertx, gw, "127.0.0.1", 1);
    long started = System.nanoTime();
    // The leftmost entry is the client's own claim and is the same for both; only the entry our proxy
    // appended may pick the bucket.
    LoopbackClient.Answer last = null;
    for (int i = 0; i < 5; i++) {
      last = proxy.post(CHAT, GatewayHarness.chat("a", false), Map.of("X-Forwarded-For", "6.6.6.6, 198.51.100.1"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(200, last.status());
    }
    assertTrue(Long.parseLong(last.header("X-RateLimit-Remaining")) <= 95 + allowance(started));
    assertEquals("198.51.100.1", up.last().header("X-Forwarded-For"), "the resolved client address goes upstream");
    LoopbackClient.Answer other = proxy.post(CHAT, GatewayHarness.chat("a", false),
        Map.of("X-Forwarded-For", "6.6.6.6, 198.51.100.2")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals("99", other.header("X-RateLimit-Remaining"), "198.51.100.2 starts with its own full bucket");
    assertEquals("198.51.100.2", up.last().header("X-Forwarded-For"));
  }

  @Test
  void perModelLimitsIsolateAliases(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx,
        "rate_limit: {global_rps: 0, per_ip_rps: 0, burst_factor: 5, per_model_rps: {a: 1}}\n", 1);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 8);
    long started = System.nanoTime();
    List<LoopbackClient.Answer> a = burst(c, 8, "a");
    long okA = count(a, 200);
    assertTrue(okA >= 5 && okA <= 5 + allowance(started), okA + " accepted for alias a");
    a.stream().filter(x -> x.status() == 429).forEach(x -> {
      assertEquals("per_model", x.header("X-RateLimit-Scope"));
      assertTrue(x.json().getJsonObject("error").getString("message").contains("model \"a\""));
    });
    List<LoopbackClient.Answer> b = burst(c, 8, "b");
    assertEquals(8, count(b, 200), "alias b has no limit");
    assertEquals(okA, up.received().stream().filter(r -> r.json().getString("model").equals("real-a")).count());
    assertEquals(8, up.received().stream().filter(r -> r.json().getString("model").equals("real-b")).count());
  }
}
