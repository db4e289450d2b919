package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.fallback.CooldownRegistry.Admission;
import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CooldownRegistryTest {

  private static final Duration INITIAL = Duration.ofSeconds(10);
  private static final Duration CAP = Duration.ofSeconds(300);
  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry registry = new CooldownRegistry(clock);

  @Test
  void failureCoolsThenOneProbeAfterExpiry() {
    assertEquals(Admission.ALLOWED, registry.admit("a/m"));
    assertEquals(INITIAL, registry.failure("a/m", null, INITIAL, CAP));
    assertEquals(Admission.COOLING, registry.admit("a/m"));
    clock.advance(Duration.ofSeconds(9));
    assertEquals(Admission.COOLING, registry.admit("a/m"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Admission.PROBE, registry.admit("a/m"));
    assertEquals(Admission.COOLING, registry.admit("a/m"), "only one probe at a time");
    registry.success("a/m");
    assertEquals(Admission.ALLOWED, registry.admit("a/m"));
  }

  @Test
  void consecutiveFailuresDoubleUpToTheCapAndOneSuccessResets() {
    Duration d = registry.failure("a/m", null, INITIAL, CAP);
    for (int i = 0; i < 8; i++) {
      clock.advance(d);
      assertEquals(Admission.PROBE, registry.admit("a/m"));
      d = registry.failure("a/m", null, INITIAL, CAP);
    }
    assertEquals(CAP, d);
    clock.advance(d);
    registry.admit("a/m");
    registry.success("a/m");
    assertEquals(INITIAL, registry.failure("a/m", null, INITIAL, CAP), "back to the short cooldown");
  }

  @Test
  void failuresDuringAnOpenCircuitAreTheSameOutage() {
    registry.failure("a/m", null, INITIAL, CAP);
    registry.failure("a/m", null, INITIAL, CAP);
    registry.failure("a/m", null, INITIAL, CAP);
    assertEquals(INITIAL, registry.remaining("a/m"));
  }

  @Test
  void providerRequestedWaitOverridesTheSchedule() {
    assertEquals(Duration.ofSeconds(60), registry.failure("a/m", Duration.ofSeconds(60), INITIAL, CAP));
  }

  @Test
  void abandonedProbeLetsTheNextRequestProbe() {
    registry.failure("a/m", null, INITIAL, CAP);
    clock.advance(INITIAL);
    assertEquals(Admission.PROBE, registry.admit("a/m"));
    registry.abandon("a/m");
    assertEquals(Admission.PROBE, registry.admit("a/m"));
  }

  @Test
  void routesAreIndependent() {
    registry.failure("a/m", null, INITIAL, CAP);
    assertTrue(registry.isCooling("a/m"));
    assertFalse(registry.isCooling("b/m"));
  }
}
