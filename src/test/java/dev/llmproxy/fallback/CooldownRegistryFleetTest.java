package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.fallback.CooldownRegistry.Admission;
import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the registry tells a fleet and learns from it (the Redis side is tested through the port in cluster/). */
class CooldownRegistryFleetTest {

  private static final Duration INITIAL = Duration.ofSeconds(10);
  private static final Duration CAP = Duration.ofSeconds(300);
  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry registry = new CooldownRegistry(clock);
  private final RecordingCircuitFleet fleet = new RecordingCircuitFleet();
  private final List<String> told = fleet.told;

  @Test
  void withoutAFleetAdmitAsyncIsAdmit() {
    assertEquals(Admission.ALLOWED, registry.admitAsync("a/m").result());
    registry.failure("a/m", null, INITIAL, CAP);
    assertEquals(Admission.COOLING, registry.admitAsync("a/m").result());
    clock.advance(INITIAL);
    assertEquals(Admission.PROBE, registry.admitAsync("a/m").result());
  }

  @Test
  void theFleetHearsOpensAndClosesButNotTheUsualSuccess() {
    registry.share(fleet);
    registry.success("a/m");
    registry.success("a/m");
    assertTrue(told.isEmpty(), "a success on a closed circuit costs the fleet nothing: " + told);
    registry.failure("a/m", null, INITIAL, CAP);
    registry.failure("a/m", null, INITIAL, CAP);  // same outage, reported by a request in flight
    assertEquals(List.of("opened a/m 1"), told);
    registry.success("a/m");
    assertEquals(List.of("opened a/m 1", "closed a/m"), told);
  }

  @Test
  void theProbeIsClaimedFromTheFleetAndALostClaimSkipsTheRoute() {
    registry.share(fleet);
    registry.failure("a/m", null, INITIAL, CAP);
    clock.advance(INITIAL);
    fleet.winsProbe = false;
    assertEquals(Admission.COOLING, registry.admitAsync("a/m").result(), "another replica probes");
    assertEquals(Admission.COOLING, registry.admitAsync("a/m").result(), "and the fleet is not asked again");
    assertTrue(registry.isCooling("a/m"), "probing elsewhere counts as cooling, as a local probe does");
    clock.advance(Duration.ofSeconds(30));  // the other prober's lease could have ended: ask again
    fleet.winsProbe = true;
    assertEquals(Admission.PROBE, registry.admitAsync("a/m").result());
    assertEquals(Admission.COOLING, registry.admitAsync("a/m").result(), "one probe per replica, never asked twice");
    registry.abandon("a/m");
    assertEquals(List.of("opened a/m 1", "claim a/m", "claim a/m", "released a/m"), told);
  }

  @Test
  void theOtherProbersVerdictEndsTheWait() {
    registry.share(fleet);
    registry.learnOpen("a/m", 1, clock.instant());
    fleet.winsProbe = false;
    assertEquals(Admission.COOLING, registry.admitAsync("a/m").result());
    registry.learnProbeReleased("a/m");  // its probe ended without a verdict: this replica may try
    fleet.winsProbe = true;
    assertEquals(Admission.PROBE, registry.admitAsync("a/m").result());
    registry.learnClosed("a/m");  // a probe (here or there) succeeded
    assertFalse(registry.isCooling("a/m"));
    assertEquals(Admission.ALLOWED, registry.admitAsync("a/m").result());
  }

  @Test
  void learntCircuitsMergeToTheLaterEndAndTheHigherCount() {
    Instant soon = clock.instant().plusSeconds(5);
    Instant later = clock.instant().plusSeconds(20);
    registry.learnOpen("a/m", 2, later);
    registry.learnOpen("a/m", 1, soon);  // an older message arriving late changes nothing
    assertTrue(registry.isCooling("a/m"));
    assertEquals(Duration.ofSeconds(20), registry.remaining("a/m"));
    assertEquals(2, registry.openCircuits().get("a/m").failures());
    clock.advance(Duration.ofSeconds(20));
    assertEquals(Admission.PROBE, registry.admit("a/m"), "a learnt circuit half-opens like a local one");
    registry.learnClosed("a/m");
    assertFalse(registry.isCooling("a/m"));
    assertEquals(Admission.ALLOWED, registry.admit("a/m"));
  }
}
