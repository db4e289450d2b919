package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.Verdict;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One test per row of the policy table in docs/routing.md. */
class RetryPolicyTest {

  private static final FallbackSettings SETTINGS = new FallbackSettings(1, Duration.ofSeconds(5), 6, Duration.ofMillis(200),
      Duration.ofSeconds(10), Duration.ofSeconds(300), null, Map.of(), Map.of());
  private final SplittableRandom random = new SplittableRandom(3);

  private RetryPolicy.Decision decide(Verdict v, int retriesDone) {
    return RetryPolicy.decide(v, retriesDone, SETTINGS, random);
  }

  @Test
  void transientIsRetriedOnceWithJitteredBackoffThenCooledAndLeft() {
    RetryPolicy.Decision first = decide(Verdict.fail(FailureClass.TRANSIENT, "500"), 0);
    assertTrue(first.retrySameRoute());
    assertTrue(first.delay().toMillis() >= 100 && first.delay().toMillis() < 200, first.toString());
    RetryPolicy.Decision second = decide(Verdict.fail(FailureClass.TRANSIENT, "500"), 1);
    assertFalse(second.retrySameRoute());
    assertTrue(second.coolRoute());
    assertNull(second.coolFor());
  }

  @Test
  void shortRetryAfterIsWaitedOutOnTheSameRoute() {
    RetryPolicy.Decision d = decide(Verdict.fail(FailureClass.RATE_LIMITED, "429", Duration.ofSeconds(2)), 0);
    assertTrue(d.retrySameRoute());
    assertEquals(Duration.ofSeconds(2), d.delay());
  }

  @Test
  void longRetryAfterCoolsTheRouteForThatLongAndMovesOn() {
    RetryPolicy.Decision d = decide(Verdict.fail(FailureClass.RATE_LIMITED, "429", Duration.ofSeconds(60)), 0);
    assertFalse(d.retrySameRoute());
    assertTrue(d.coolRoute());
    assertEquals(Duration.ofSeconds(60), d.coolFor());
  }

  @Test
  void rateLimitWithoutHintBacksOffAtMostTwiceASecond() {
    for (int i = 0; i < 100; i++) {
      RetryPolicy.Decision d = decide(Verdict.fail(FailureClass.RATE_LIMITED, "429"), 0);
      assertTrue(d.retrySameRoute());
      assertTrue(d.delay().toMillis() >= 500, d.toString());
    }
    assertFalse(decide(Verdict.fail(FailureClass.RATE_LIMITED, "429"), 1).retrySameRoute());
  }

  @Test
  void timeoutsUnreachableAndRefusalsNeverRetryTheSameRoute() {
    for (FailureClass c : new FailureClass[] {FailureClass.TIMEOUT, FailureClass.UNREACHABLE, FailureClass.BACKEND_REFUSED}) {
      RetryPolicy.Decision d = decide(Verdict.fail(c, "x"), 0);
      assertFalse(d.retrySameRoute(), c.name());
      assertTrue(d.coolRoute(), c.name());
    }
  }

  @Test
  void contextLengthMovesOnWithoutCooling() {
    RetryPolicy.Decision d = decide(Verdict.fail(FailureClass.CONTEXT_LENGTH, "too long"), 0);
    assertFalse(d.retrySameRoute());
    assertFalse(d.coolRoute());
  }

  @Test
  void aRefusedContinuationMovesOnWithoutCooling() {
    RetryPolicy.Decision d = decide(Verdict.fail(FailureClass.CONTINUATION_REFUSED, "400 prefill"), 0);
    assertFalse(d.retrySameRoute());
    assertFalse(d.coolRoute(), "a route that takes no prefill is healthy for every other request");
  }
}
