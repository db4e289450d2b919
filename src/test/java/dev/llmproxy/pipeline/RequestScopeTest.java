package dev.llmproxy.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The request's deadline on virtual time, and its one cancellation signal. */
class RequestScopeTest {

  private final MutableClock clock = MutableClock.startingNow();

  @Test
  void theDeadlineRunsOnTheInjectedClock() {
    RequestScope scope = new RequestScope(clock, Duration.ofSeconds(30));
    assertEquals(Duration.ZERO, scope.elapsed());
    assertEquals(Duration.ofSeconds(30), scope.remaining());
    clock.advance(Duration.ofSeconds(29));
    assertEquals(Duration.ofSeconds(29), scope.elapsed());
    assertEquals(Duration.ofSeconds(1), scope.remaining());
    assertFalse(scope.expired());
    clock.advance(Duration.ofSeconds(5));
    assertEquals(Duration.ZERO, scope.remaining(), "never negative");
    assertTrue(scope.expired());
    assertEquals(clock.instant().minusSeconds(34), scope.started());
  }

  @Test
  void cancellationFiresOnceForEveryListenerWhenEverTheyListen() {
    RequestScope scope = new RequestScope(clock, Duration.ofSeconds(30));
    AtomicInteger heard = new AtomicInteger();
    scope.cancelled().onSuccess(v -> heard.incrementAndGet());
    assertFalse(scope.isCancelled());
    assertEquals(0, heard.get());
    scope.cancel();
    scope.cancel();
    assertTrue(scope.isCancelled());
    assertEquals(1, heard.get(), "one signal, told once");
    scope.cancelled().onSuccess(v -> heard.incrementAndGet());
    assertEquals(2, heard.get(), "a listener that comes late hears it at once");
  }
}
