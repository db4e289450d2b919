package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retry policy, L1 fallback with cooldown, L2 alias fallback — observed through the port and the mocks. */
@ExtendWith(VertxExtension.class)
class FallbackIT {

  private static final String ERROR_500 = "{\"error\":{\"message\":\"internal\",\"type\":\"server_error\"}}";

  private static String twoRoutes(MockUpstream first, MockUpstream second, String extra) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s"}, {name: second, url: "%s"}]
        models:
          m:
            - {backend: first, model: m1, priority: 1}
            - {backend: second, model: m2, priority: 2}
        %s
        """.formatted(first.url(), second.url(), extra.startsWith("fallback: {")
            ? extra.replace("fallback: {", "fallback: {retry_backoff: 10ms, ")
            : "fallback: {retry_backoff: 10ms}\n" + extra);
  }

  private static HttpResponse<String> ask(GatewayHarness gw) {
    return gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
  }

  private static String servedBy(HttpResponse<String> r) {
    return r.headers().firstValue("X-LLM-Proxy-Backend").orElse("none");
  }

  @Test
  void serverErrorIsRetriedOnceOnTheSameRouteThenFallsBack(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(500, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      HttpResponse<String> r = ask(gw);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("second", servedBy(r));
      assertEquals(2, first.count(), "one try plus retry_same_route: 1");
      assertEquals("3", r.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());
      assertEquals("m2", second.last().json().getString("model"));
    }
  }

  @Test
  void transientErrorThatClearsOnRetryIsServedByTheSameRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").next(MockUpstream.status(503, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      HttpResponse<String> r = ask(gw);
      assertEquals("first", servedBy(r));
      assertEquals(2, first.count());
      assertEquals(0, second.count());
    }
  }

  @Test
  void shortRetryAfterIsWaitedOutOnTheSameRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").next((req, body, up) ->
        req.response().setStatusCode(429).putHeader("retry-after-ms", "300").end("{\"error\":{\"message\":\"Rate limit\"}}"));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = ask(gw);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("first", servedBy(r));
      assertEquals(0, second.count());
      assertTrue(ms >= 300, "waited the provider's 300 ms, took " + ms);
    }
  }

  @Test
  void longRetryAfterCoolsTheRouteForThatLongAndMovesOn(Vertx vertx) {
    MutableClock clock = MutableClock.startingNow();
    MockUpstream first = MockUpstream.start(vertx, "first").next((req, body, up) ->
        req.response().setStatusCode(429).putHeader("retry-after", "60").end("{\"error\":{\"message\":\"Rate limit\"}}"));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""), clock)) {
      assertEquals("second", servedBy(ask(gw)));
      assertEquals(1, first.count(), "60 s exceeds max_retry_after: no same-route retry");
      clock.advance(Duration.ofSeconds(59));
      assertEquals("second", servedBy(ask(gw)));
      assertEquals(1, first.count(), "cooled for the provider's 60 s");
      clock.advance(Duration.ofSeconds(1));
      assertEquals("first", servedBy(ask(gw)));
    }
  }

  @Test
  void rateLimitWithoutHintRetriesNoFasterThanTwiceASecond(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(429, "{\"error\":{\"message\":\"slow down\"}}"));
    MockUpstream second = MockUpstream.start(vertx, "second").always(MockUpstream.status(429, "{\"error\":{\"message\":\"slow down\"}}"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = ask(gw);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(429, r.statusCode(), "every failure was a rate limit");
      assertTrue(r.headers().firstValue("Retry-After").isPresent());
      assertEquals(2, first.count());
      assertEquals(2, second.count());
      assertTrue(ms >= 1000, "two spaced retries of at least 500 ms each, took " + ms);
      assertTrue(new JsonObject(r.body()).getJsonObject("error").getString("message").startsWith("All 4 attempt(s)"));
    }
  }

  @Test
  void silentUpstreamTimesOutAndIsNeverRetriedOnTheSameRoute(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.hang());
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, "timeout: {response_header: 300ms}"))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = ask(gw);
      assertEquals("second", servedBy(r));
      assertEquals(1, first.count());
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000);
    }
  }

  @Test
  void errorBodyUnder200IsDetected(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first")
        .always(MockUpstream.status(200, "{\"error\":{\"message\":\"You exceeded your current quota\",\"code\":\"insufficient_quota\"}}"));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      assertEquals("second", servedBy(ask(gw)));
      assertEquals(1, first.count(), "quota is not transient: no same-route retry");
    }
  }

  @Test
  void undetectedAndContentPolicyErrorsGoBackUnchanged(Vertx vertx) {
    String policy = "{\"error\":{\"message\":\"blocked\",\"code\":\"content_policy_violation\"}}";
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(400, policy));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, "detection: {error_codes: [\"4xx\", \"5xx\"]}"))) {
      HttpResponse<String> r = ask(gw);
      assertEquals(400, r.statusCode());
      assertEquals(policy, r.body());
      assertEquals(1, first.count());
      assertEquals(0, second.count());
    }
  }

  @Test
  void contextLengthSkipsToTheNextRouteWithoutCooling(Vertx vertx) {
    String tooLong = "{\"error\":{\"message\":\"maximum context length is 8192\",\"code\":\"context_length_exceeded\"}}";
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(400, tooLong));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second, ""))) {
      assertEquals("second", servedBy(ask(gw)));
      assertEquals(1, first.count());
      first.always(MockUpstream.chat("fits"));
      assertEquals("first", servedBy(ask(gw)), "not cooled: a short prompt goes to the first route again");
    }
  }

  @Test
  void contextLengthEverywhereGoesToTheLongContextAliasElseReturnsTheProvidersError(Vertx vertx) {
    String tooLong = "{\"error\":{\"message\":\"maximum context length is 8192\",\"code\":\"context_length_exceeded\"}}";
    MockUpstream small = MockUpstream.start(vertx, "small").always(MockUpstream.status(400, tooLong));
    MockUpstream big = MockUpstream.start(vertx, "big");
    MockUpstream other = MockUpstream.start(vertx, "other");
    String yaml = """
        listen: "127.0.0.1:0"
        backends: [{name: small, url: "%s"}, {name: big, url: "%s"}, {name: other, url: "%s"}]
        models:
          m: [{backend: small, model: s}]
          m-long: [{backend: big, model: b}]
          spare: [{backend: other, model: o}]
        fallback:
          alias_fallback: {m: [spare]}
          on_context_length: {m: [m-long]}
        """.formatted(small.url(), big.url(), other.url());
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml)) {
      assertEquals("big", servedBy(ask(gw)));
      assertEquals(0, other.count(), "generic L2 aliases are not used for a too-long prompt");
    }
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml.replace("  on_context_length: {m: [m-long]}\n", ""))) {
      HttpResponse<String> r = ask(gw);
      assertEquals(400, r.statusCode());
      assertEquals(tooLong, r.body(), "the provider's own error, unchanged");
    }
  }

  @Test
  void cooledRouteGetsNothingUntilExpiryThenOneProbe(Vertx vertx) {
    MutableClock clock = MutableClock.startingNow();
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(500, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second,
        "fallback: {retry_same_route: 0, cooldown_initial_seconds: 10, cooldown_seconds: 300}"), clock)) {
      assertEquals("second", servedBy(ask(gw)));
      assertEquals(1, first.count());
      for (int i = 0; i < 5; i++) {
        assertEquals("second", servedBy(ask(gw)));
      }
      assertEquals(1, first.count(), "cooling: the route receives nothing");
      clock.advance(Duration.ofSeconds(10));
      assertEquals("second", servedBy(ask(gw)), "the probe failed");
      assertEquals(2, first.count(), "exactly one probe after expiry");
      clock.advance(Duration.ofSeconds(10));
      ask(gw);
      assertEquals(2, first.count(), "second failure doubled the cooldown to 20 s");
      first.always(MockUpstream.chat("recovered"));
      clock.advance(Duration.ofSeconds(10));
      assertEquals("first", servedBy(ask(gw)), "back in service right after the cooldown in which it recovered");
      assertEquals("first", servedBy(ask(gw)));
    }
  }

  @Test
  void cooldownStateSurvivesAConfigReload(Vertx vertx) {
    MutableClock clock = MutableClock.startingNow();
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(500, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    String yaml = twoRoutes(first, second, "fallback: {retry_same_route: 0}");
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml, clock)) {
      assertEquals("second", servedBy(ask(gw)));
      first.always(MockUpstream.chat("recovered"));
      assertTrue(gw.rewriteConfig(yaml.replace("model: m2", "model: m2-renamed")).applied());
      assertEquals("second", servedBy(ask(gw)), "first/m1 is still cooling after the reload");
      assertEquals("m2-renamed", second.last().json().getString("model"), "the reload took effect");
      assertEquals(1, first.count());
      clock.advance(Duration.ofSeconds(10));
      assertEquals("first", servedBy(ask(gw)));
    }
  }

  @Test
  void allFailingAliasFallsBackToTheNextAlias(Vertx vertx) {
    MockUpstream a1 = MockUpstream.start(vertx, "a1").always(MockUpstream.status(502, ERROR_500));
    MockUpstream a2 = MockUpstream.start(vertx, "a2").always(MockUpstream.resetBeforeHeaders());
    MockUpstream b = MockUpstream.start(vertx, "b");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: a1, url: "%s"}, {name: a2, url: "%s"}, {name: b, url: "%s"}]
        models:
          gpt-4: [{backend: a1, model: x1}, {backend: a2, model: x2}]
          claude: [{backend: b, model: claude-real}]
        fallback: {alias_fallback: {gpt-4: [claude]}, retry_backoff: 5ms}
        """.formatted(a1.url(), a2.url(), b.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt-4", false));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("b", servedBy(r));
      assertEquals("claude-real", b.last().json().getString("model"));
      assertEquals("claude-real", r.headers().firstValue("X-LLM-Proxy-Model").orElseThrow());
    }
  }

  @Test
  void providerTextQuotingTheBackendKeyNeverReachesTheClient(Vertx vertx) {
    MockUpstream leaky = MockUpstream.start(vertx, "leaky").always(MockUpstream.status(401,
        "{\"error\":{\"message\":\"Incorrect API key provided: backend-secret-123. Also sk-proj-abcdefghij1234.\"}}"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: a, url: "%s", api_key: backend-secret-123}]
        models: {m: [{backend: a, model: x}]}
        """.formatted(leaky.url()))) {
      HttpResponse<String> r = ask(gw);
      assertEquals(502, r.statusCode());
      assertTrue(r.body().contains("Incorrect API key provided"), r.body());
      assertTrue(!r.body().contains("backend-secret-123") && !r.body().contains("abcdefghij1234"), r.body());
    }
  }

  @Test
  void fallbackTotalTimeoutBoundsTheWholeRequestIncludingL2(Vertx vertx) {
    MockUpstream silent = MockUpstream.start(vertx, "silent").always(MockUpstream.hang());
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        timeout: {response_header: 60s, total: 10m}
        backends: [{name: s1, url: "%s"}, {name: s2, url: "%s"}]
        models: {m: [{backend: s1, model: a}], spare: [{backend: s2, model: b}]}
        fallback: {total_timeout: 400ms, alias_fallback: {m: [spare]}}
        """.formatted(silent.url(), silent.url()))) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = ask(gw);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(504, r.statusCode(), r.body());
      assertTrue(ms < 5000, "bounded by fallback.total_timeout, not the 60 s header timeout: " + ms + " ms");
      assertEquals(1, silent.count(), "no time left for the L2 alias");
    }
  }

  @Test
  void aBackendsOwnDetectionRulesDecideForThatBackend(Vertx vertx) {
    String badParam = "{\"error\":{\"message\":\"unsupported parameter\"}}";
    MockUpstream strict = MockUpstream.start(vertx, "strict").always(MockUpstream.status(400, badParam));
    MockUpstream second = MockUpstream.start(vertx, "second");
    String yaml = """
        listen: "127.0.0.1:0"
        backends:
          - {name: first, url: "%s"%s}
          - {name: second, url: "%s"}
        models: {m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]}
        """;
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml.formatted(strict.url(), "", second.url()))) {
      assertEquals(400, ask(gw).statusCode(), "globally a 400 is the caller's: returned unchanged");
    }
    try (GatewayHarness gw = GatewayHarness.start(vertx,
        yaml.formatted(strict.url(), ", detection: {error_codes: [400]}", second.url()))) {
      assertEquals("second", servedBy(ask(gw)), "for this backend a 400 is a detected error");
    }
  }

  @Test
  void maxRetriesBoundsTheAttemptsWithinAnAlias(Vertx vertx) {
    MockUpstream a = MockUpstream.start(vertx, "a").always(MockUpstream.status(500, ERROR_500));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: a, url: "%s"}, {name: b, url: "%s"}, {name: c, url: "%s"}]
        models: {m: [{backend: a, model: x, priority: 1}, {backend: b, model: y, priority: 2}, {backend: c, model: z, priority: 3}]}
        fallback: {max_retries: 3, retry_backoff: 5ms}
        """.formatted(a.url(), a.url(), a.url()))) {
      HttpResponse<String> r = ask(gw);
      assertEquals(502, r.statusCode());
      assertEquals(3, a.count());
      String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
      assertTrue(message.contains("c/z (max_retries reached)"), message);
    }
  }

  @Test
  void whenEveryRouteIsCoolingTheOneEndingFirstIsTriedAnyway(Vertx vertx) {
    MutableClock clock = MutableClock.startingNow();
    MockUpstream first = MockUpstream.start(vertx, "first").next(MockUpstream.status(500, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, twoRoutes(first, second,
        "fallback: {retry_same_route: 0, cooldown_initial_seconds: 10}"), clock)) {
      assertEquals("second", servedBy(ask(gw)), "first cooled until t+10");
      clock.advance(Duration.ofSeconds(3));
      second.next(MockUpstream.status(500, ERROR_500));
      assertEquals(502, ask(gw).statusCode(), "second cooled until t+13; first skipped");
      assertEquals(1, first.count());
      HttpResponse<String> r = ask(gw);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("first", servedBy(r), "both cooling: the one whose cooldown ends first is tried");
      assertEquals(2, first.count());
      assertEquals(2, second.count());
    }
  }
}
