package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BackendSlotsTest {

  @Test
  void countsPerBackendUpToTheLimit(Vertx vertx) {
    BackendSlots slots = new BackendSlots(vertx);
    Slot a1 = slots.tryAcquire("a", 2).orElseThrow();
    Slot a2 = slots.tryAcquire("a", 2).orElseThrow();
    assertTrue(slots.tryAcquire("a", 2).isEmpty(), "a is at its limit");
    Slot b1 = slots.tryAcquire("b", 2).orElseThrow();
    assertEquals(2, slots.inFlight("a"));
    a1.release();
    a1.release();
    assertEquals(1, slots.inFlight("a"), "released exactly once");
    assertTrue(slots.tryAcquire("a", 2).isPresent());
    assertTrue(slots.tryAcquire("c", 0).isPresent(), "0 means no limit");
    a2.release();
    b1.release();
  }

  @Test
  void awaitCapacityCompletesWhenAWatchedBackendReleases(Vertx vertx) throws Exception {
    BackendSlots slots = new BackendSlots(vertx);
    Slot a = slots.tryAcquire("a", 1).orElseThrow();
    Slot b = slots.tryAcquire("b", 1).orElseThrow();
    BackendSlots.Wait wait = slots.awaitCapacity(Set.of("a"), 1, Duration.ofMinutes(1));
    assertEquals(1, slots.waiting());
    b.release();
    assertFalse(wait.ready().isComplete(), "a release of an unwatched backend does not wake it");
    a.release();
    wait.ready().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0, slots.waiting());
  }

  @Test
  void awaitCapacityIsImmediateWhenThereIsRoomAndTimesOutOtherwise(Vertx vertx) {
    BackendSlots slots = new BackendSlots(vertx);
    assertTrue(slots.awaitCapacity(Set.of("a"), 1, Duration.ofMinutes(1)).ready().succeeded());
    Slot a = slots.tryAcquire("a", 1).orElseThrow();
    BackendSlots.Wait wait = slots.awaitCapacity(Set.of("a"), 1, Duration.ofMillis(50));
    var e = assertThrows(ExecutionException.class,
        () -> wait.ready().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(BackendSlots.WaitTimedOut.class, e.getCause());
    assertEquals(0, slots.waiting());
    a.release();
  }
}
