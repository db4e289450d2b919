package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.pipeline.RequestScope;
import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Attempts per alias and the request's deadline, on a clock the test moves. */
class BudgetTest {

  private final MutableClock clock = MutableClock.startingNow();
  private final Budget budget = new Budget(new RequestScope(clock, Duration.ofSeconds(10)), 2);

  @Test
  void eachAliasHasItsOwnAttemptCount() {
    assertNull(budget.refusal("m"));
    budget.spend("m");
    assertTrue(budget.allowsRetry("m", Duration.ofMillis(100)));
    budget.spend("m");
    assertEquals("max_retries reached", budget.refusal("m"));
    assertFalse(budget.allowsRetry("m", Duration.ofMillis(100)), "no retry beyond the count either");
    assertNull(budget.refusal("spare"), "an L2 alias starts with a full count");
  }

  @Test
  void theDeadlineStopsEverythingAndCapsEveryWait() {
    assertEquals(Duration.ofSeconds(10), budget.remaining());
    assertEquals(Duration.ofSeconds(3), budget.capped(Duration.ofSeconds(3)));
    clock.advance(Duration.ofSeconds(8));
    assertEquals(Duration.ofSeconds(2), budget.capped(Duration.ofSeconds(30)), "a 30 s queue wait gets what is left");
    assertFalse(budget.allowsRetry("m", Duration.ofSeconds(2)), "a retry must start before the deadline");
    assertTrue(budget.allowsRetry("m", Duration.ofSeconds(1)));
    clock.advance(Duration.ofSeconds(2));
    assertEquals("request deadline reached", budget.refusal("m"));
    assertEquals("request deadline reached", budget.refusal("spare"));
    assertEquals(Duration.ZERO, budget.capped(Duration.ofSeconds(30)));
  }
}
