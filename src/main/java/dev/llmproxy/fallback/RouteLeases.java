package dev.llmproxy.fallback;

import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Takes {@link RouteLease}s: a backend slot under {@code concurrency.per_backend_limit}, then the route's circuit.
 * Asynchronous, because both may be network calls when the state is shared by a fleet. Thread-safe (the
 * registries are); each lease is confined to its request.
 */
final class RouteLeases {

  /**
   * The outcome of {@link #take}: the lease on {@code choices[index]}, or null when that route is cooling (its
   * slot already given back). The choices before {@code index} were at their backend's limit.
   */
  record Taken(int index, RouteLease lease, Duration coolingLeft) {}

  private final CooldownRegistry cooldowns;
  private final BackendSlots slots;

  RouteLeases(CooldownRegistry cooldowns, BackendSlots slots) {
    this.cooldowns = cooldowns;
    this.slots = slots;
  }

  /**
   * A lease on the first of {@code choices} (a candidate, then the rest of its alias) whose backend has room; a
   * backend at its limit is passed over, not failed. When none has room the request waits for one, for at most
   * {@code wait}, then fails with a 503. The last resort is probed whatever its circuit says.
   */
  Future<Taken> take(RequestContext ctx, List<Candidate> choices, boolean lastResort, Duration wait) {
    int limit = ctx.snapshot().concurrency().backendLimit();
    Future<BackendSlots.Pick> pick = limit <= 0
        ? Future.succeededFuture(new BackendSlots.Pick(0, Slot.NONE))
        : slots.acquireFirst(ctx, choices.stream().map(c -> c.backend().name()).toList(), 0, limit, wait);
    return pick.compose(p -> {
      Candidate route = choices.get(p.index());
      if (lastResort) {
        cooldowns.forceProbe(route.key());
        return Future.succeededFuture(
            new Taken(p.index(), new RouteLease(route, p.slot(), true, cooldowns), Duration.ZERO));
      }
      // In a fleet the one probe of a half-open circuit is claimed in Redis; completed at once otherwise.
      return cooldowns.admitAsync(route.key()).transform(ar -> {
        if (ar.failed() || ar.result() == CooldownRegistry.Admission.COOLING) {
          p.slot().release();
          return ar.failed() ? Future.failedFuture(ar.cause())
              : Future.succeededFuture(new Taken(p.index(), null, cooldowns.remaining(route.key())));
        }
        boolean probe = ar.result() == CooldownRegistry.Admission.PROBE;
        return Future.succeededFuture(
            new Taken(p.index(), new RouteLease(route, p.slot(), probe, cooldowns), Duration.ZERO));
      });
    });
  }

  /**
   * After the wait before a same-route retry: a slot again on the lease's backend (fleet-wide in a cluster), or,
   * when the backend is at its limit now, null with the lease released (the retry is skipped, the route not
   * judged). A failed future has released the lease too.
   */
  Future<RouteLease> retake(RequestContext ctx, RouteLease waited) {
    int limit = ctx.snapshot().concurrency().backendLimit();
    Future<Optional<Slot>> slot = limit > 0
        ? slots.tryAcquireAsync(waited.candidate().backend().name(), limit)
        : Future.succeededFuture(Optional.of(Slot.NONE));
    return slot.transform(ar -> {
      if (ar.failed() || ar.result().isEmpty()) {
        waited.release();
        return ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture();
      }
      return Future.succeededFuture(waited.withSlot(ar.result().get()));
    });
  }
}
