package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.fallback.CooldownRegistry.Admission;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.support.ConfigFiles;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attempt loop with a scripted {@link Attempt} in place of the network: which routes are tried, what becomes
 * of each {@link RouteLease} (every backend slot back exactly once, circuits judged or abandoned, never blamed for
 * the proxy's own bug), and what the loop hands over. Time is a {@link MutableClock}; retries wait on no timer.
 */
@ExtendWith(VertxExtension.class)
class AttemptLoopTest {

  private static final String YAML = """
      listen: "127.0.0.1:0"
      backends:
        - {name: a, url: "http://127.0.0.1:9"}
        - {name: b, url: "http://127.0.0.1:9"}
        - {name: c, url: "http://127.0.0.1:9"}
      models:
        m: [{backend: a, model: ma, priority: 1}, {backend: b, model: mb, priority: 2}]
        spare: [{backend: c, model: mc}]
      fallback: {total_timeout: 60s, alias_fallback: {m: [spare]}}
      concurrency: {max_requests: 10, queue_timeout: 200ms, per_backend_limit: 1}
      """;

  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry cooldowns = new CooldownRegistry(clock);
  private final Map<String, Deque<Supplier<Future<Attempt.Judged>>>> script = new HashMap<>();
  private final List<String> tried = new ArrayList<>();
  private final List<Buffer> bodies = new ArrayList<>();
  private BackendSlots slots;
  private Snapshot snapshot;
  private RequestContext ctx;
  private PrepareBody preparation = PrepareBody.REAL_MODEL;

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path dir) throws Exception {
    slots = new BackendSlots(vertx);
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, YAML);
    snapshot = ConfigFiles.load(file);
    // No HTTP request: the loop must never touch the client's request or response.
    ctx = new RequestContext("trace-1", snapshot, Endpoint.CHAT_COMPLETIONS, null, "127.0.0.1", clock);
    ctx.alias(snapshot.aliases().get("m"));
    ctx.body(new JsonObject().put("model", "m").put("messages", List.of()));
  }

  // What the scripted backends do, in order, per backend; a backend with nothing scripted accepts.

  private void on(String backend, Supplier<Future<Attempt.Judged>> step) {
    script.computeIfAbsent(backend, k -> new ArrayDeque<>()).add(step);
  }

  private static Supplier<Future<Attempt.Judged>> fails(int status, FailureClass failure) {
    return () -> Future.succeededFuture(new Attempt.Judged(Verdict.fail(failure, status + " scripted"), status, null));
  }

  private Attempt backends() {
    return (route, body, remaining) -> {
      tried.add(route.key());
      bodies.add(body);
      var steps = script.get(route.backend().name());
      if (steps == null || steps.isEmpty()) {
        return Future.succeededFuture(new Attempt.Judged(Verdict.accept(), 200, new Accepted.Whole(null, 200, MultiMap.caseInsensitiveMultiMap(), body)));
      }
      return steps.poll().get();
    };
  }

  private Future<Accepted> run() {
    AliasResolver resolver = new AliasResolver(() -> new SplittableRandom(1));
    AttemptPlan plan = new AttemptPlan("m", snapshot.fallback(),
        alias -> resolver.plan(snapshot, snapshot.aliases().get(alias), ctx.endpoint()), cooldowns);
    return new AttemptLoop(ctx, plan, new Budget(ctx.scope(), snapshot.fallback().maxRetries()),
        new RouteLeases(cooldowns, slots), backends(), preparation, delay -> Future.succeededFuture(),
        new SplittableRandom(1)).run();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the walk to fail");
  }

  private void assertNoSlotHeld() {
    assertTrue(slots.inFlightByBackend().values().stream().allMatch(n -> n == 0),
        "every backend slot back: " + slots.inFlightByBackend());
  }

  private void coolThenExpire(String route) {
    cooldowns.failure(route, null, Duration.ofSeconds(10), Duration.ofSeconds(300));
    clock.advance(Duration.ofSeconds(10));
  }

  @Test
  void theAcceptedAnswerOwnsItsLeaseUntilTheRelayReleasesIt() throws Exception {
    Accepted accepted = await(run());
    assertEquals("a/ma", accepted.route().key());
    assertEquals("ma", accepted.sentBody().toJsonObject().getString("model"), "the body prepared for that route");
    assertEquals(1, slots.inFlight("a"), "held while the relay delivers");
    accepted.release();
    accepted.release();
    assertNoSlotHeld();
    assertEquals(List.of("m/a/ma: 200 accepted"), ctx.attempts().stream()
        .map(r -> r.alias() + "/" + r.describe()).toList());
  }

  @Test
  void aFailingRouteIsRetriedThenCooledAndTheNextOneServes() throws Exception {
    on("a", fails(503, FailureClass.TRANSIENT));
    on("a", fails(503, FailureClass.TRANSIENT));
    Accepted accepted = await(run());
    assertEquals(List.of("a/ma", "a/ma", "b/mb"), tried, "retry_same_route: 1, then the next route");
    assertEquals("b/mb", accepted.route().key());
    assertTrue(cooldowns.isCooling("a/ma"));
    assertEquals(0, slots.inFlight("a"), "the failed route's slot went back");
    assertEquals(1, slots.inFlight("b"));
    accepted.release();
    assertNoSlotHeld();
    assertEquals(3, ctx.attempts().size());
  }

  @Test
  void aBugThrownByAnAttemptEndsTheWalkAtOnceAndNeverCoolsTheRoute() throws Exception {
    IllegalStateException bug = new IllegalStateException("proxy bug");
    on("a", () -> {
      throw bug;
    });
    assertSame(bug, failure(run()));
    assertEquals(List.of("a/ma"), tried, "no other route is tried for a bug");
    assertFalse(cooldowns.isCooling("a/ma"));
    assertNoSlotHeld();
  }

  @Test
  void aBugReportedAsAFailedFutureIsNoBackendFailureEither() throws Exception {
    coolThenExpire("a/ma");  // this request gets the probe, which must not be lost
    on("a", () -> Future.failedFuture(new NullPointerException("proxy bug")));
    assertInstanceOf(NullPointerException.class, failure(run()));
    assertFalse(cooldowns.isCooling("a/ma"), "not held against the route");
    assertEquals(Admission.PROBE, cooldowns.admit("a/ma"), "the probe is free for the next request");
    assertNoSlotHeld();
  }

  @Test
  void aBugWhilePreparingTheBodyIsABugToo() throws Exception {
    ctx.body(null);  // PrepareBody.REAL_MODEL throws on it
    assertInstanceOf(NullPointerException.class, failure(run()));
    assertEquals(List.of(), tried);
    assertFalse(cooldowns.isCooling("a/ma"));
    assertNoSlotHeld();
  }

  @Test
  void aRouteThatCannotTakeTheRequestIsPassedOverNeitherTriedNorCooled() throws Exception {
    preparation = (c, body, route) -> {
      if (route.backend().name().equals("a")) {
        throw new UnservableRequest("cannot be translated to anthropic: 'n' > 1", "n");
      }
      return PrepareBody.REAL_MODEL.prepare(c, body, route);
    };
    Accepted accepted = await(run());
    assertEquals("b/mb", accepted.route().key());
    assertEquals(List.of("b/mb"), tried);
    assertFalse(cooldowns.isCooling("a/ma"));
    assertEquals(1, ctx.attempts().size(), "no attempt recorded for the route passed over");
    accepted.release();
    assertNoSlotHeld();
  }

  @Test
  void whenNoRouteCanTakeTheRequestTheClientGetsA400NamingTheField() throws Exception {
    preparation = (c, body, route) -> {
      throw new UnservableRequest("cannot be translated to anthropic: 'n' > 1 is not supported", "n");
    };
    ApiError error = assertInstanceOf(ApiError.class, failure(run()));
    assertEquals(400, error.status());
    assertEquals("n", error.param());
    assertTrue(error.getMessage().contains("a/ma (cannot be translated to anthropic: 'n' > 1 is not supported)"),
        error.getMessage());
    assertTrue(error.getMessage().contains("c/mc (cannot be translated"), "the L2 alias was tried as well");
    assertEquals(List.of(), tried);
    assertNoSlotHeld();
  }

  @Test
  void aClientThatLeavesEndsTheWalkAndAbandonsItsProbe() throws Exception {
    coolThenExpire("a/ma");
    on("a", () -> {
      ctx.scope().cancel();
      return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));
    });
    assertEquals("client disconnected", failure(run()).getMessage());
    assertEquals(List.of("a/ma"), tried);
    assertEquals(Admission.PROBE, cooldowns.admit("a/ma"), "abandoned, not judged");
    assertNoSlotHeld();
  }

  @Test
  void theDeadlineOnTheRequestClockEndsTheWalk() throws Exception {
    on("a", () -> {
      clock.advance(Duration.ofSeconds(61));
      return fails(0, FailureClass.TIMEOUT).get();
    });
    Throwable error = failure(run());
    assertEquals(504, ((ApiError) error).status(), "every failure was a timeout");
    assertTrue(error.getMessage().contains("b/mb (request deadline reached); c/mc (request deadline reached)"),
        error.getMessage());
    assertEquals(List.of("a/ma"), tried);
    assertNoSlotHeld();
  }

  @Test
  void aBackendAtItsLimitIsPassedOverNotFailed() throws Exception {
    Slot other = slots.tryAcquire("a", 1).orElseThrow();  // another request holds a's only slot
    Accepted accepted = await(run());
    assertEquals("b/mb", accepted.route().key());
    assertEquals(List.of("b/mb"), tried);
    assertEquals(1, ctx.attempts().size(), "a skipped route is not an attempt");
    assertFalse(cooldowns.isCooling("a/ma"));
    accepted.release();
    other.release();
    assertNoSlotHeld();
  }

  @Test
  void promptTooLongEverywhereReturnsTheProvidersOwnAnswerAndCoolsNothing() throws Exception {
    Buffer tooLong = Buffer.buffer("{\"error\":{\"code\":\"context_length_exceeded\"}}");
    for (String backend : List.of("a", "b")) {
      on(backend, () -> Future.succeededFuture(new Attempt.Judged(Verdict.fail(FailureClass.CONTEXT_LENGTH, "400 long"),
          400, new Accepted.ProviderError(400, MultiMap.caseInsensitiveMultiMap(), tooLong))));
    }
    Accepted accepted = await(run());
    Accepted.ProviderError answer = assertInstanceOf(Accepted.ProviderError.class, accepted.answer());
    assertSame(tooLong, answer.body());
    assertNull(accepted.route(), "no route served it");
    assertEquals(List.of("a/ma", "b/mb"), tried, "the generic L2 alias is not for long prompts");
    assertFalse(cooldowns.isCooling("a/ma") || cooldowns.isCooling("b/mb"));
    accepted.release();
    assertNoSlotHeld();
  }

  @Test
  void anAnswerThatBreaksLaterContinuesTheSamePlanWithinTheSameBudget() throws Exception {
    Accepted first = await(run());
    assertEquals("a/ma", first.route().key());
    ClientBody continuation = route -> new JsonObject().put("continue on", route.key());
    Verdict cut = Verdict.fail(FailureClass.TRANSIENT, "stream cut after content");

    Accepted second = await(first.next(cut, 200, continuation));
    assertEquals("a/ma", second.route().key(), "the retry policy applies: one same-route retry");
    assertEquals(new JsonObject().put("continue on", "a/ma").put("model", "ma"), bodies.get(1).toJsonObject(),
        "the continuation, prepared for the route like any body");
    Accepted third = await(second.next(cut, 200, continuation));
    assertEquals("b/mb", third.route().key(), "retries spent: cooled, next candidate of the same plan");
    assertTrue(cooldowns.isCooling("a/ma"));
    assertEquals(List.of("a/ma", "a/ma", "b/mb"), tried);
    assertEquals(0, slots.inFlight("a"));
    third.release();
    assertNoSlotHeld();
    List<String> outcomes = ctx.attempts().stream().map(AttemptRecord::outcome).toList();
    assertEquals(List.of("stream cut after content", "stream cut after content", "accepted"), outcomes,
        "a break takes the place of the answer's accepted record: one record per attempt");
  }

  @Test
  void aRefusedContinuationIsNotHeldAgainstTheRouteAndTheWalkGoesOn() throws Exception {
    Accepted first = await(run());
    ClientBody continuation = route -> new JsonObject().put("prefill", true);
    Accepted second = await(first.next(Verdict.fail(FailureClass.TIMEOUT, "stream idle too long"), 200,
        continuation));
    assertEquals("b/mb", second.route().key(), "a timeout is not retried: the next route");
    Accepted third = await(second.next(Verdict.fail(FailureClass.CONTINUATION_REFUSED, "continuation refused: 400"),
        400, continuation));
    assertEquals("c/mc", third.route().key(), "the walk goes on to the L2 alias with the same continuation");
    assertEquals(new JsonObject().put("prefill", true).put("model", "mc"), bodies.get(2).toJsonObject());
    assertTrue(cooldowns.isCooling("a/ma"), "the route that broke mid-stream cools");
    assertFalse(cooldowns.isCooling("b/mb"), "the route that refused the prefill does not");
    third.release();
    assertNoSlotHeld();
    assertEquals(List.of("a/ma: 200 stream idle too long", "b/mb: 400 continuation refused: 400", "c/mc: 200 accepted"),
        ctx.attempts().stream().map(AttemptRecord::describe).toList());
  }

  @Test
  void everyCandidateTakesAtMostOneSlotAtATime() throws Exception {
    on("a", fails(500, FailureClass.TRANSIENT));
    on("a", () -> {
      assertEquals(1, slots.inFlight("a"), "the retry holds one slot, the first one went back before the wait");
      return fails(500, FailureClass.TRANSIENT).get();
    });
    on("b", fails(429, FailureClass.BACKEND_REFUSED));
    on("c", () -> {
      assertEquals(Map.of("a", 0, "b", 0, "c", 1), slots.inFlightByBackend());
      return fails(502, FailureClass.UNREACHABLE).get();
    });
    Throwable error = failure(run());
    assertEquals(502, ((ApiError) error).status());
    assertEquals(List.of("a/ma", "a/ma", "b/mb", "c/mc"), tried);
    assertNoSlotHeld();
    assertTrue(cooldowns.isCooling("a/ma") && cooldowns.isCooling("b/mb") && cooldowns.isCooling("c/mc"));
  }
}
