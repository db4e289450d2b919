package dev.llmproxy.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DrainTest {

  private final Drain drain = new Drain();

  @Test
  void countsRequestsInAndOut() {
    assertTrue(drain.tryEnter());
    assertTrue(drain.tryEnter());
    assertEquals(2, drain.inFlight());
    drain.exit();
    assertEquals(1, drain.inFlight());
    assertFalse(drain.whenIdle().isDone(), "idle means drained, not merely quiet");
  }

  @Test
  void drainingRefusesNewRequestsAndCompletesWhenTheLastOneEnds() {
    assertTrue(drain.tryEnter());
    drain.start();
    assertTrue(drain.draining());
    assertFalse(drain.tryEnter());
    assertEquals(1, drain.inFlight(), "a refused request is not counted");
    assertFalse(drain.whenIdle().isDone());
    drain.exit();
    assertTrue(drain.whenIdle().isDone());
  }

  @Test
  void drainingWithNothingInFlightIsIdleAtOnce() {
    drain.start();
    assertTrue(drain.whenIdle().isDone());
    drain.start();
    assertTrue(drain.whenIdle().isDone());
  }
}
