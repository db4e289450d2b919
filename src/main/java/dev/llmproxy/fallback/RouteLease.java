package dev.llmproxy.fallback;

import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.routing.Candidate;
import java.time.Duration;

/**
 * A request's hold on one route for as long as it uses it: its circuit admission (closed, or this request is the
 * one probe) and a backend slot for the attempt in flight. The verdict on the route is reported once
 * ({@link #succeeded} or {@link #failed}); {@link #release} gives everything back and is the last word: the
 * slot returns, and a probe that never got a verdict is abandoned so the next request may probe instead.
 * Release is idempotent, so whoever owns the lease (the loop, then the relay) may release it on any path.
 * Confined to the request's event loop.
 */
final class RouteLease {

  private final Candidate route;
  private final boolean probe;
  private final CooldownRegistry cooldowns;
  private Slot slot;
  private boolean judged;
  private boolean released;

  RouteLease(Candidate route, Slot slot, boolean probe, CooldownRegistry cooldowns) {
    this.route = route;
    this.slot = slot;
    this.probe = probe;
    this.cooldowns = cooldowns;
  }

  Candidate candidate() {
    return route;
  }

  boolean probe() {
    return probe;
  }

  boolean released() {
    return released;
  }

  /** The route answered properly: its circuit closes. The slot stays held until {@link #release}. */
  void succeeded() {
    judged = true;
    cooldowns.success(route.key());
  }

  /** The route failed: its circuit opens. @return how long it now cools */
  Duration failed(Duration requested, FallbackSettings settings) {
    judged = true;
    return cooldowns.failure(route.key(), requested, settings.cooldownInitial(), settings.cooldownCap());
  }

  /** Between a failed try and its retry on this route: the slot goes back for the wait, the circuit stays ours. */
  void returnSlot() {
    slot.release();
  }

  /** The retry's slot, taken after the wait. */
  RouteLease withSlot(Slot next) {
    slot = next;
    return this;
  }

  void release() {
    if (released) {
      return;
    }
    released = true;
    slot.release();
    if (probe && !judged) {
      cooldowns.abandon(route.key());
    }
  }
}
