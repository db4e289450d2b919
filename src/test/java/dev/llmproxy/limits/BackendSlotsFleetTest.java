package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The slots' fleet seam, with an in-memory fleet (the Redis one is tested through the port in cluster/). */
@ExtendWith(VertxExtension.class)
class BackendSlotsFleetTest {

  /** A fleet whose count of leases on each backend the test sets; the slots' own count is one replica's. */
  private static final class CountingFleet implements BackendSlots.Fleet {
    final AtomicInteger leases = new AtomicInteger();
    final List<Consumer<String>> freed = new ArrayList<>();

    @Override
    public Future<Optional<Runnable>> tryLease(String backend, int limit) {
      if (leases.get() >= limit) {
        return Future.succeededFuture(Optional.empty());
      }
      leases.incrementAndGet();
      return Future.succeededFuture(Optional.of(leases::decrementAndGet));
    }

    @Override
    public Runnable leaseUnchecked(String backend) {
      leases.incrementAndGet();
      return leases::decrementAndGet;
    }

    @Override
    public void onFreed(Consumer<String> listener) {
      freed.add(listener);
    }

    @Override
    public Duration recheck() {
      return Duration.ofMinutes(5);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void asyncAcquisitionAsksTheFleetAndGivesTheLocalSlotBackWhenRefused(Vertx vertx) throws Exception {
    BackendSlots slots = new BackendSlots(vertx);
    CountingFleet fleet = new CountingFleet();
    slots.share(fleet);
    fleet.leases.set(2);  // other replicas hold the backend's two slots
    assertTrue(await(slots.tryAcquireAsync("a", 2)).isEmpty(), "full fleet-wide, though this replica holds none");
    assertEquals(0, slots.inFlight("a"), "the local slot taken for the check was given back");
    fleet.leases.set(1);
    Slot slot = await(slots.tryAcquireAsync("a", 2)).orElseThrow();
    assertEquals(2, fleet.leases.get());
    assertEquals(1, slots.inFlight("a"));
    slot.release();
    slot.release();
    assertEquals(1, fleet.leases.get(), "the lease is released exactly once");
    assertEquals(0, slots.inFlight("a"));
  }

  @Test
  void theSynchronousPathRegistersItsLeaseUnasked(Vertx vertx) {
    BackendSlots slots = new BackendSlots(vertx);
    CountingFleet fleet = new CountingFleet();
    slots.share(fleet);
    Slot slot = slots.tryAcquire("a", 5).orElseThrow();
    assertEquals(1, fleet.leases.get());
    slot.release();
    assertEquals(0, fleet.leases.get());
  }

  @Test
  void withoutAFleetTheAsyncVariantIsTheSynchronousOne(Vertx vertx) throws Exception {
    BackendSlots slots = new BackendSlots(vertx);
    Slot one = await(slots.tryAcquireAsync("a", 1)).orElseThrow();
    assertTrue(await(slots.tryAcquireAsync("a", 1)).isEmpty());
    one.release();
    assertTrue(await(slots.tryAcquireAsync("a", 1)).isPresent());
  }
}
