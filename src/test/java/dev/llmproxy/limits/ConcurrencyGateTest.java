package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.ConcurrencySettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ConcurrencyGateTest {

  private static ConcurrencySettings gate(int max, int queue, Duration timeout) {
    return new ConcurrencySettings(true, max, queue, timeout, 0);
  }

  private static Slot await(Future<Slot> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static ConcurrencyGate.Refusal refusal(Future<Slot> f) {
    var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> await(f));
    return ((ConcurrencyGate.Refused) e.getCause()).reason();
  }

  @Test
  void waitersAreServedFirstInFirstOutAsSlotsAreReleased(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(2, 10, Duration.ofMinutes(1)));
    Slot a = await(g.enter().slot());
    Slot b = await(g.enter().slot());
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Future<Slot>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      waiting.add(g.enter().slot().onSuccess(s -> order.add(n)));
    }
    assertEquals(2, g.inFlight());
    assertEquals(3, g.queued());
    assertFalse(waiting.get(0).isComplete());

    a.release();
    Slot c = await(waiting.get(0));
    assertEquals(2, g.inFlight(), "a released slot passes straight to the head of the queue");
    assertEquals(2, g.queued());
    b.release();
    b.release();  // a second release of the same slot gives nothing back
    Slot d = await(waiting.get(1));
    assertEquals(2, g.inFlight());
    assertEquals(1, g.queued());
    c.release();
    await(waiting.get(2)).release();
    d.release();
    assertEquals(List.of(0, 1, 2), order);
    assertEquals(0, g.inFlight());
    assertEquals(0, g.queued());
  }

  @Test
  void fullQueueRefusesAtOnce(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(1, 1, Duration.ofMinutes(1)));
    Slot held = await(g.enter().slot());
    ConcurrencyGate.Ticket queued = g.enter();
    Future<Slot> refused = g.enter().slot();
    assertTrue(refused.failed(), "no waiting when the queue is full");
    assertEquals(ConcurrencyGate.Refusal.QUEUE_FULL, refusal(refused));
    assertEquals(1, g.queueFullRejections());
    held.release();
    await(queued.slot()).release();
    assertEquals(0, g.inFlight());
  }

  @Test
  void zeroQueueMeansNoWaiting(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(1, 0, Duration.ofMinutes(1)));
    Slot held = await(g.enter().slot());
    assertEquals(ConcurrencyGate.Refusal.QUEUE_FULL, refusal(g.enter().slot()));
    held.release();
    assertEquals(0, g.inFlight());
  }

  @Test
  void waiterTimesOutAndLeavesTheQueue(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(1, 5, Duration.ofMillis(100)));
    Slot held = await(g.enter().slot());
    Future<Slot> waiting = g.enter().slot();
    assertEquals(ConcurrencyGate.Refusal.QUEUE_TIMEOUT, refusal(waiting));
    assertEquals(0, g.queued());
    assertEquals(1, g.queueTimeoutRejections());
    held.release();
    assertEquals(0, g.inFlight(), "the timed-out waiter was not handed the released slot");
  }

  @Test
  void cancelledWaiterLeavesTheQueueAndNeverGetsASlot(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(1, 5, Duration.ofMinutes(1)));
    Slot held = await(g.enter().slot());
    ConcurrencyGate.Ticket first = g.enter();
    ConcurrencyGate.Ticket second = g.enter();
    first.cancel();
    assertEquals(ConcurrencyGate.Refusal.CANCELLED, refusal(first.slot()));
    assertEquals(1, g.queued());
    held.release();
    Slot s = await(second.slot());
    first.cancel();  // late cancel: no effect
    assertEquals(1, g.inFlight());
    s.release();
    assertEquals(0, g.inFlight());
  }

  @Test
  void raisingTheLimitByReloadLetsWaitersIn(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(1, 5, Duration.ofMinutes(1)));
    Slot held = await(g.enter().slot());
    Future<Slot> w1 = g.enter().slot();
    Future<Slot> w2 = g.enter().slot();
    g.reconfigure(gate(3, 5, Duration.ofMinutes(1)));
    Slot s1 = await(w1);
    Slot s2 = await(w2);
    assertEquals(3, g.inFlight());
    held.release();
    s1.release();
    s2.release();
    assertEquals(0, g.inFlight());
  }

  @Test
  void disabledGateGivesANoOpSlot(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, ConcurrencySettings.DISABLED);
    for (int i = 0; i < 10; i++) {
      assertSame(Slot.NONE, await(g.enter().slot()));
    }
    assertEquals(0, g.inFlight());
  }

  @Test
  void manyEventLoopsEnteringAndReleasingNeverExceedTheLimitAndEndAtZero(Vertx vertx) throws Exception {
    ConcurrencyGate g = new ConcurrencyGate(vertx, gate(3, 10_000, Duration.ofMinutes(1)));
    java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger maxHolding = new java.util.concurrent.atomic.AtomicInteger();
    List<Future<Void>> done = new ArrayList<>();
    for (int loop = 0; loop < 4; loop++) {
      io.vertx.core.Promise<Void> finished = io.vertx.core.Promise.promise();
      done.add(finished.future());
      vertx.getOrCreateContext().runOnContext(v -> {
        List<Future<Void>> mine = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
          mine.add(g.enter().slot().map(slot -> {
            maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
            // Release a tick later, from the event loop, as a finished request would.
            vertx.runOnContext(x -> {
              holding.decrementAndGet();
              slot.release();
            });
            return null;
          }));
        }
        Future.all(mine).<Void>mapEmpty().onComplete(finished);
      });
    }
    Future.all(done).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(maxHolding.get() <= 3, "never more than max_requests at once: " + maxHolding.get());
    Awaitility.await("the last release, a tick later").atMost(Duration.ofSeconds(5)).until(() -> g.inFlight() == 0);
    assertEquals(0, g.queued());
  }
}
