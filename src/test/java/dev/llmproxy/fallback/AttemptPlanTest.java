package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.config.Route;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.routing.RoutePlan;
import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order of a request's candidates, without a network: aliases are given as ready-made route plans. */
class AttemptPlanTest {

  private static final Duration INITIAL = Duration.ofSeconds(10);
  private static final Duration CAP = Duration.ofSeconds(300);

  private final MutableClock clock = MutableClock.startingNow();
  private final CooldownRegistry cooldowns = new CooldownRegistry(clock);
  private final Map<String, RoutePlan> plans = new HashMap<>();
  private final List<String> resolved = new ArrayList<>();

  static Candidate candidate(String alias, String backend, String model) {
    return new Candidate(alias, new Backend(backend, BackendType.HTTP, "http://127.0.0.1:9", null, Protocol.OPENAI,
        Map.of(), true, null, null), new Route(backend, model, 1, 1));
  }

  static FallbackSettings fallback(Map<String, List<String>> aliasFallback, Map<String, List<String>> onContextLength) {
    return new FallbackSettings(1, Duration.ofSeconds(5), 6, Duration.ofMillis(10), INITIAL, CAP, null,
        aliasFallback, onContextLength);
  }

  private void alias(String name, List<String> skipped, String... backendModel) {
    List<Candidate> candidates = new ArrayList<>();
    for (String bm : backendModel) {
      String[] parts = bm.split("/");
      candidates.add(candidate(name, parts[0], parts[1]));
    }
    plans.put(name, new RoutePlan(name, candidates, skipped));
  }

  private AttemptPlan plan(String alias, FallbackSettings fallback) {
    return new AttemptPlan(alias, fallback, name -> {
      resolved.add(name);
      return plans.get(name);
    }, cooldowns);
  }

  private static List<String> walk(AttemptPlan plan) {
    List<String> keys = new ArrayList<>();
    for (Candidate c = plan.next(); c != null; c = plan.next()) {
      keys.add(c.alias() + ":" + c.key());
    }
    return keys;
  }

  @Test
  void routesOfTheAliasThenItsFallbackAliasesEachResolvedOnlyWhenReached() {
    alias("m", List.of("off/x (backend disabled: no key)"), "a/m1", "b/m2");
    alias("spare", List.of(), "c/s1");
    alias("last", List.of(), "d/l1");
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare", "last")), Map.of()));

    assertEquals("a/m1", plan.next().key());
    assertEquals(List.of("m"), resolved, "the usual case: fallback aliases not resolved yet");
    assertEquals(List.of("off/x (backend disabled: no key)"), plan.takeNotes(), "what the resolver skipped, once");
    assertEquals(List.of(), plan.takeNotes());
    assertEquals(List.of("m:b/m2", "spare:c/s1", "last:d/l1"), walk(plan));
    assertEquals(List.of("m", "spare", "last"), resolved, "each alias resolved exactly once");
    assertNull(plan.next(), "exhausted stays exhausted");
    assertFalse(plan.isLastResort());
  }

  @Test
  void restOfAliasStaysInTheAliasAndSkipPassesOverWhatWasDealtWith() {
    alias("m", List.of(), "a/m1", "b/m2", "c/m3");
    alias("spare", List.of(), "d/s1");
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare")), Map.of()));
    assertEquals("a/m1", plan.next().key());
    assertEquals(List.of("b/m2", "c/m3"), plan.restOfAlias().stream().map(Candidate::key).toList());
    plan.skip(1);  // b was leased in a's place
    assertEquals("c/m3", plan.next().key());
    assertEquals(List.of(), plan.restOfAlias(), "never reaches into the next alias");
    plan.skip(5);
    assertEquals("d/s1", plan.next().key());
  }

  @Test
  void promptTooLongGoesToTheLongContextAliasesInsteadOfTheGenericOnes() {
    alias("m", List.of(), "a/m1", "b/m2");
    alias("spare", List.of(), "c/s1");
    alias("m-long", List.of(), "d/l1");
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare")), Map.of("m", List.of("m", "m-long"))));
    assertEquals("a/m1", plan.next().key());
    plan.contextLengthExceeded();
    assertEquals("b/m2", plan.next().key(), "the alias' other routes may have a larger window");
    assertEquals(List.of("m-long:d/l1"), walk(plan), "then only the long-prompt aliases, never the generic L2 ones");
    assertFalse(resolved.contains("spare"));
  }

  @Test
  void promptTooLongWithNoLongContextAliasEndsThePlan() {
    alias("m", List.of(), "a/m1");
    alias("spare", List.of(), "c/s1");
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare")), Map.of()));
    plan.next();
    plan.contextLengthExceeded();
    assertNull(plan.next());
  }

  @Test
  void aFailureOtherThanLengthInTheLongAliasMovesToTheNextLongAlias() {
    alias("m", List.of(), "a/m1");
    alias("long1", List.of(), "b/l1");
    alias("long2", List.of(), "c/l2");
    AttemptPlan plan = plan("m", fallback(Map.of(), Map.of("m", List.of("long1", "long2"))));
    plan.next();
    plan.contextLengthExceeded();
    assertEquals("b/l1", plan.next().key());
    assertEquals("c/l2", plan.next().key(), "the flag is per alias: long1 failed otherwise");
    assertNull(plan.next());
  }

  @Test
  void whenEveryRouteIsCoolingTheOneWhoseCooldownEndsFirstIsTheWholePlan() {
    alias("m", List.of("skipped route"), "a/m1", "b/m2");
    alias("spare", List.of(), "c/s1");
    cooldowns.failure("a/m1", Duration.ofSeconds(30), INITIAL, CAP);
    cooldowns.failure("b/m2", Duration.ofSeconds(20), INITIAL, CAP);
    cooldowns.failure("c/s1", Duration.ofSeconds(12), INITIAL, CAP);
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare")), Map.of()));
    Candidate only = plan.next();
    assertEquals("c/s1", only.key());
    assertTrue(plan.isLastResort());
    assertEquals(List.of("every route was cooling down; tried c/s1, whose cooldown ends first"), plan.takeNotes());
    assertEquals(List.of(), plan.restOfAlias());
    assertNull(plan.next());
  }

  @Test
  void oneRouteNotCoolingAnywhereMeansTheUsualWalk() {
    alias("m", List.of(), "a/m1");
    alias("spare", List.of(), "c/s1");
    cooldowns.failure("a/m1", null, INITIAL, CAP);
    AttemptPlan plan = plan("m", fallback(Map.of("m", List.of("spare")), Map.of()));
    assertEquals(List.of("m:a/m1", "spare:c/s1"), walk(plan), "the cooling route is still offered: its lease says");
    assertFalse(plan.isLastResort());
    assertEquals(List.of("m", "spare"), resolved, "looked at once for the check, then walked from memory");
  }

  @Test
  void thePlanOnlyReadsCircuitsItNeverTakesAProbe() {
    alias("m", List.of(), "a/m1");
    cooldowns.failure("a/m1", null, INITIAL, CAP);
    clock.advance(INITIAL);
    assertEquals(List.of("m:a/m1"), walk(plan("m", fallback(Map.of(), Map.of()))));
    assertEquals(CooldownRegistry.Admission.PROBE, cooldowns.admit("a/m1"), "the probe is still there for a lease");
  }
}
