package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.fallback.CooldownRegistry.Admission;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lease gives back its backend slot exactly once, and settles its circuit once: a verdict when there is one,
 * else (a probe abandoned by a client that left, a bug, a spent budget) the probe goes to the next request.
 */
@ExtendWith(VertxExtension.class)
class RouteLeaseTest {

  private static final Candidate ROUTE = AttemptPlanTest.candidate("m", "a", "m1");

  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry cooldowns = new CooldownRegistry(clock);
  private BackendSlots slots;

  @BeforeEach
  void slots(Vertx vertx) {
    slots = new BackendSlots(vertx);
  }

  /** A counted slot on backend a (no limit, so several requests may hold one). */
  private Slot slot() {
    return slots.tryAcquire("a", 0).orElseThrow();
  }

  private RouteLease probe() {
    cooldowns.failure(ROUTE.key(), null, Duration.ofSeconds(10), Duration.ofSeconds(300));
    clock.advance(Duration.ofSeconds(10));
    assertEquals(Admission.PROBE, cooldowns.admit(ROUTE.key()));
    return new RouteLease(ROUTE, slot(), true, cooldowns);
  }

  @Test
  void releasingTwiceGivesTheSlotBackOnce() {
    RouteLease lease = new RouteLease(ROUTE, slot(), false, cooldowns);
    Slot other = slot();
    assertEquals(2, slots.inFlight("a"));
    lease.release();
    lease.release();
    assertEquals(1, slots.inFlight("a"), "the other request's slot is untouched");
    assertTrue(lease.released());
    other.release();
  }

  @Test
  void anAcceptedLeaseKeepsItsSlotUntilReleasedAndClosesTheCircuit() {
    RouteLease lease = probe();
    lease.succeeded();
    assertEquals(1, slots.inFlight("a"), "held while the answer is relayed");
    assertEquals(Admission.ALLOWED, cooldowns.admit(ROUTE.key()));
    lease.release();
    assertEquals(0, slots.inFlight("a"));
    assertEquals(Admission.ALLOWED, cooldowns.admit(ROUTE.key()));
  }

  @Test
  void aProbeReleasedWithoutAVerdictIsAbandonedForTheNextRequest() {
    RouteLease lease = probe();
    assertEquals(Admission.COOLING, cooldowns.admit(ROUTE.key()), "one probe at a time");
    lease.release();
    assertEquals(0, slots.inFlight("a"));
    assertEquals(Admission.PROBE, cooldowns.admit(ROUTE.key()), "not stuck: the next request probes");
  }

  @Test
  void aFailedProbeReopensTheCircuitAndReleaseDoesNotUndoIt() {
    RouteLease lease = probe();
    assertEquals(Duration.ofSeconds(20), lease.failed(null, AttemptPlanTest.fallback(Map.of(), Map.of())));
    lease.release();
    assertTrue(cooldowns.isCooling(ROUTE.key()));
    assertEquals(Admission.COOLING, cooldowns.admit(ROUTE.key()));
    assertEquals(0, slots.inFlight("a"));
  }

  @Test
  void aNonProbeLeaseNeverClearsAnotherRequestsProbe() {
    RouteLease allowed = new RouteLease(ROUTE, slot(), false, cooldowns);
    RouteLease probe = probe();
    allowed.release();
    assertEquals(Admission.COOLING, cooldowns.admit(ROUTE.key()), "the probe is still out");
    probe.release();
  }

  @Test
  void aRetryGivesTheSlotBackForTheWaitAndHoldsTheNextOne() {
    RouteLease lease = probe();
    lease.returnSlot();
    assertEquals(0, slots.inFlight("a"), "no slot held while waiting to retry");
    assertEquals(Admission.COOLING, cooldowns.admit(ROUTE.key()), "the circuit stays this request's");
    lease.withSlot(slot());
    assertEquals(1, slots.inFlight("a"));
    lease.release();
    assertEquals(0, slots.inFlight("a"));
    assertEquals(Admission.PROBE, cooldowns.admit(ROUTE.key()));
  }
}
