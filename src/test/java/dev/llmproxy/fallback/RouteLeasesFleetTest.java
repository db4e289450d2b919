package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.support.ConfigFiles;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RouteLeases} in a fleet, with in-memory fleets for the circuits and the backend slots (the Redis ones are
 * tested through the port in cluster/): the one probe is claimed fleet-wide when a lease is taken, a retry's slot
 * is retaken fleet-wide, and a request waiting for a fleet-full backend asks again now and then, yet gives up
 * after its wait even on a clock that stands still.
 */
@ExtendWith(VertxExtension.class)
class RouteLeasesFleetTest {

  private static final String YAML = """
      listen: "127.0.0.1:0"
      backends:
        - {name: a, url: "http://127.0.0.1:9"}
      models:
        m: [{backend: a, model: ma}]
      concurrency: {max_requests: 10, queue_timeout: 300ms, per_backend_limit: 1}
      """;
  private static final Candidate ROUTE = AttemptPlanTest.candidate("m", "a", "ma");
  private static final Duration RECHECK = Duration.ofMillis(40);

  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry cooldowns = new CooldownRegistry(clock);
  private final SlotFleet slotFleet = new SlotFleet();
  private BackendSlots slots;
  private RequestContext ctx;
  private RouteLeases leases;

  /** Fleet-wide leases on backend a: the count includes what the test says other replicas hold. */
  private static final class SlotFleet implements BackendSlots.Fleet {
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger asked = new AtomicInteger();

    @Override
    public Future<Optional<Runnable>> tryLease(String backend, int limit) {
      asked.incrementAndGet();
      if (held.get() >= limit) {
        return Future.succeededFuture(Optional.empty());
      }
      held.incrementAndGet();
      return Future.succeededFuture(Optional.of(held::decrementAndGet));
    }

    @Override
    public Runnable leaseUnchecked(String backend) {
      held.incrementAndGet();
      return held::decrementAndGet;
    }

    @Override
    public void onFreed(Consumer<String> listener) {
      // this test frees slots only as an expired lease would: without a message
    }

    @Override
    public Duration recheck() {
      return RECHECK;
    }
  }

  private final RecordingCircuitFleet circuitFleet = new RecordingCircuitFleet();

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path dir) throws Exception {
    slots = new BackendSlots(vertx);
    slots.share(slotFleet);
    cooldowns.share(circuitFleet);
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, YAML);
    Snapshot snapshot = ConfigFiles.load(file);
    ctx = new RequestContext("trace-1", snapshot, Endpoint.CHAT_COMPLETIONS, null, "127.0.0.1", clock);
    ctx.alias(snapshot.aliases().get("m"));
    leases = new RouteLeases(cooldowns, slots);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private RouteLeases.Taken take(Duration wait) throws Exception {
    return await(leases.take(ctx, List.of(ROUTE), false, wait));
  }

  private void coolThenExpire() {
    cooldowns.failure(ROUTE.key(), null, Duration.ofSeconds(10), Duration.ofSeconds(300));
    clock.advance(Duration.ofSeconds(10));
    circuitFleet.told.clear();
  }

  @Test
  void aProbeClaimedByAnotherReplicaPassesTheRouteOverAndGivesTheSlotBack() throws Exception {
    coolThenExpire();
    circuitFleet.winsProbe = false;
    RouteLeases.Taken taken = take(Duration.ofSeconds(1));
    assertNull(taken.lease(), "another replica probes");
    assertEquals(0, slots.inFlight("a"));
    assertEquals(0, slotFleet.held.get(), "the fleet-wide slot went back too");
    assertNull(take(Duration.ofSeconds(1)).lease(), "still probed elsewhere");
    assertEquals(List.of("claim " + ROUTE.key()),
        circuitFleet.told.stream().filter(t -> t.startsWith("claim")).toList(), "the lost claim is remembered: the fleet is not asked per request");
  }

  @Test
  void aProbeWonInTheFleetMakesAProbeLeaseWhoseAbandonmentIsAnnounced() throws Exception {
    coolThenExpire();
    RouteLease lease = take(Duration.ofSeconds(1)).lease();
    assertNotNull(lease);
    assertTrue(lease.probe());
    assertEquals(List.of("claim " + ROUTE.key()), circuitFleet.told);
    lease.release();  // no verdict: the client left
    assertEquals(List.of("claim " + ROUTE.key(), "released " + ROUTE.key()), circuitFleet.told);
    assertEquals(0, slotFleet.held.get());
  }

  @Test
  void aClosedCircuitCostsTheFleetNoProbeClaim() throws Exception {
    RouteLease lease = take(Duration.ofSeconds(1)).lease();
    assertNotNull(lease);
    assertEquals(List.of(), circuitFleet.told);
    assertEquals(1, slotFleet.held.get(), "the slot is a fleet-wide lease");
    lease.release();
    assertEquals(0, slotFleet.held.get());
  }

  @Test
  void aRetryWhoseBackendTheFleetFilledMeanwhileIsSkippedWithTheLeaseReleased() throws Exception {
    coolThenExpire();
    RouteLease lease = take(Duration.ofSeconds(1)).lease();
    lease.returnSlot();  // waiting before the retry
    assertEquals(0, slotFleet.held.get());
    slotFleet.held.set(1);  // another replica took the backend's only slot
    assertNull(await(leases.retake(ctx, lease)));
    assertTrue(lease.released());
    assertEquals(0, slots.inFlight("a"));
    assertTrue(circuitFleet.told.contains("released " + ROUTE.key()), "the probe is another replica's to take now");
  }

  @Test
  void aRetryTakesItsSlotFleetWide() throws Exception {
    RouteLease lease = take(Duration.ofSeconds(1)).lease();
    lease.returnSlot();
    int asked = slotFleet.asked.get();
    RouteLease renewed = await(leases.retake(ctx, lease));
    assertNotNull(renewed);
    assertEquals(asked + 1, slotFleet.asked.get(), "the fleet was asked, not told");
    assertEquals(1, slotFleet.held.get());
    renewed.release();
    assertEquals(0, slotFleet.held.get());
  }

  @Test
  void aWaitForAFleetFullBackendEndsAfterItsTimeoutThoughTheClockStandsStill() throws Exception {
    slotFleet.held.set(1);  // held by another replica, for good
    Future<RouteLeases.Taken> taken = leases.take(ctx, List.of(ROUTE), false, Duration.ofMillis(300));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(taken));
    assertEquals(503, assertInstanceOf(ApiError.class, failed.getCause()).status());
    assertTrue(slotFleet.asked.get() >= 3, "asked again every recheck: " + slotFleet.asked.get());
    assertEquals(0, slots.inFlight("a"));
  }

  @Test
  void aWaitingRequestTakesASlotFreedWithoutAMessage() throws Exception {
    slotFleet.held.set(1);
    Future<RouteLeases.Taken> taken = leases.take(ctx, List.of(ROUTE), false, Duration.ofSeconds(30));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> slotFleet.asked.get() >= 2);
    slotFleet.held.set(0);  // the other replica's lease expired: nobody announces that
    RouteLease lease = await(taken).lease();
    assertNotNull(lease);
    assertEquals(1, slotFleet.held.get());
    lease.release();
  }
}
