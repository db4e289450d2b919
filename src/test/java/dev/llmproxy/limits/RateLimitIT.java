package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
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
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 20, per_ip_rps: 0, burst_factor: 1}\n", 1);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 100);

    long started = System.nanoTime();
    List<LoopbackClient.Answer> answers = burst(c, 100, "a");
    double seconds = (System.nanoTime() - started) / 1e9;

    long ok = count(answers, 200);
    long limited = count(answers, 429);
    assertEquals(100, ok + limited, "every answer is 200 or 429");
    // Tokens come back continuously at 20/s, so a burst that took T seconds may see 20·T more.
    long allowance = (long) Math.ceil(seconds * 20);
    assertTrue(ok >= 20 && ok <= 20 + allowance, ok + " accepted in a " + seconds + " s burst");
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

  @Test
  void anthropicClientsGetTheRejectionInTheirShape(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 1, per_ip_rps: 0, burst_factor: 1}\n", 1);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 1);
    String body = "{\"model\":\"a\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    c.post("/v1/messages", body).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    LoopbackClient.Answer a = c.post("/v1/messages", body).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals(429, a.status());
    assertEquals("error", a.json().getString("type"));
    assertEquals("rate_limit_error", a.json().getJsonObject("error").getString("type"));
    assertEquals("1", a.header("Retry-After"));
  }

  @Test
  void perIpLimitsIsolateClientAddresses(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, "rate_limit: {global_rps: 0, per_ip_rps: 3, burst_factor: 1}\n", 1);
    LoopbackClient one = client(vertx, gw, "127.0.0.1", 1);
    LoopbackClient two = client(vertx, gw, "127.0.0.2", 1);

    List<LoopbackClient.Answer> first = burst(one, 6, "a");
    assertEquals(3, count(first, 200));
    assertEquals(3, count(first, 429));
    first.stream().filter(a -> a.status() == 429).forEach(a -> {
      assertEquals("per_ip", a.header("X-RateLimit-Scope"));
      assertTrue(a.json().getJsonObject("error").getString("message").contains("127.0.0.1"));
    });
    // X-Forwarded-For from an untrusted peer is ignored: no escaping into a fresh bucket.
    LoopbackClient.Answer forged = one.post(CHAT, GatewayHarness.chat("a", false), Map.of("X-Forwarded-For", "9.9.9.9"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(429, forged.status());

    List<LoopbackClient.Answer> second = burst(two, 3, "a");
    assertEquals(3, count(second, 200), "127.0.0.2 has its own bucket");
    assertEquals("127.0.0.2", up.last().header("X-Forwarded-For"), "upstream saw the second client's address");
    assertEquals(6, up.count());
  }

  @Test
  void trustedProxyForwardedForSelectsTheBucket(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx, """
        rate_limit: {global_rps: 0, per_ip_rps: 2, burst_factor: 1}
        trusted_proxies: ["127.0.0.1"]
        """, 1);
    LoopbackClient proxy = client(vertx, gw, "127.0.0.1", 1);
    int ok = 0;
    for (String client : new String[] {"198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2"}) {
      var a = proxy.post(CHAT, GatewayHarness.chat("a", false), Map.of("X-Forwarded-For", "6.6.6.6, " + client))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      ok += a.status() == 200 ? 1 : 0;
    }
    assertEquals(3, ok, "two for .1 (third rejected), one for .2");
    assertEquals("198.51.100.2", up.last().header("X-Forwarded-For"), "the resolved client address goes upstream");
  }

  @Test
  void perModelLimitsIsolateAliases(Vertx vertx) throws Exception {
    GatewayHarness gw = gateway(vertx,
        "rate_limit: {global_rps: 0, per_ip_rps: 0, burst_factor: 1, per_model_rps: {a: 2}}\n", 1);
    LoopbackClient c = client(vertx, gw, "127.0.0.1", 4);
    List<LoopbackClient.Answer> a = burst(c, 5, "a");
    assertEquals(2, count(a, 200));
    a.stream().filter(x -> x.status() == 429).forEach(x -> {
      assertEquals("per_model", x.header("X-RateLimit-Scope"));
      assertTrue(x.json().getJsonObject("error").getString("message").contains("model \"a\""));
    });
    List<LoopbackClient.Answer> b = burst(c, 5, "b");
    assertEquals(5, count(b, 200), "alias b has no limit");
    assertEquals(2, up.received().stream().filter(r -> r.json().getString("model").equals("real-a")).count());
    assertEquals(5, up.received().stream().filter(r -> r.json().getString("model").equals("real-b")).count());
  }
}
