package dev.llmproxy.fallback;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.pipeline.ForwardStage;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pipeline stage: the request's {@link AttemptPlan} walked by an {@link AttemptLoop} until an answer is
 * accepted. Nothing reaches the client here; the relay delivers the {@link Accepted} answer. One per event loop.
 */
public final class Forward implements ForwardStage<Accepted> {

  private final Vertx vertx;
  private final UpstreamClient upstream;
  private final AliasResolver resolver;
  private final CooldownRegistry cooldowns;
  private final RouteLeases leases;
  private final PrepareBody bodies;
  private final LocalAnswer local;

  /** A forward whose routes are all called; see the full constructor. */
  public Forward(Vertx vertx, UpstreamClient upstream, AliasResolver resolver, CooldownRegistry cooldowns,
      BackendSlots backendSlots, PrepareBody bodies) {
    this(vertx, upstream, resolver, cooldowns, backendSlots, bodies, LocalAnswer.NONE);
  }

  /**
   * @param bodies makes each candidate's request body (the real model, the backend's protocol, Bedrock's format)
   * @param local answers a route gives without a call (count_tokens estimated for an OpenAI route)
   */
  public Forward(Vertx vertx, UpstreamClient upstream, AliasResolver resolver, CooldownRegistry cooldowns,
      BackendSlots backendSlots, PrepareBody bodies, LocalAnswer local) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.resolver = resolver;
    this.cooldowns = cooldowns;
    this.leases = new RouteLeases(cooldowns, backendSlots);
    this.bodies = bodies;
    this.local = local;
  }

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public Future<Accepted> forward(RequestContext ctx) {
    Snapshot snapshot = ctx.snapshot();
    AttemptPlan plan = new AttemptPlan(ctx.alias().name(), snapshot.fallback(),
        alias -> resolver.plan(snapshot, snapshot.aliases().get(alias), ctx.endpoint()), cooldowns);
    Budget budget = new Budget(ctx.scope(), snapshot.fallback().maxRetries());
    return new AttemptLoop(ctx, plan, budget, leases, new UpstreamAttempt(vertx, upstream, ctx, local), bodies,
        delay -> vertx.timer(Math.max(1, delay.toMillis())), ThreadLocalRandom.current()).run();
  }
}
