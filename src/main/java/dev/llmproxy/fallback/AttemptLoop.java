package dev.llmproxy.fallback;

import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * One request's walk through its {@link AttemptPlan}. For each candidate: take a {@link RouteLease}, make one
 * {@link Attempt}, and on failure let {@link RetryPolicy} decide: retry the route after a wait, or report the
 * verdict on the route and go on with the next candidate; all within one {@link Budget}. The result is an
 * {@link Accepted} answer, which owns the lease from then on, or the final error. Nothing here writes to the
 * client. An attempt whose future fails (the client left, or the proxy's own code threw) ends the walk at once
 * and is never held against the route. Confined to the request's event loop.
 */
final class AttemptLoop {

  private final RequestContext ctx;
  private final AttemptPlan plan;
  private final Budget budget;
  private final RouteLeases leases;
  private final Attempt attempt;
  private final Function<Duration, Future<?>> timer;
  private final RandomGenerator random;
  private final AttemptTrail trail;
  private final PrepareBody bodies;
  /** The body candidates receive; null while it is the client's own request (see {@link #prepare}). */
  private ClientBody requests;

  AttemptLoop(RequestContext ctx, AttemptPlan plan, Budget budget, RouteLeases leases, Attempt attempt,
      PrepareBody bodies, Function<Duration, Future<?>> timer, RandomGenerator random) {
    this.ctx = ctx;
    this.plan = plan;
    this.budget = budget;
    this.leases = leases;
    this.attempt = attempt;
    this.bodies = bodies;
    this.requests = null;
    this.timer = timer;
    this.random = random;
    this.trail = new AttemptTrail(ctx);
  }

  Future<Accepted> run() {
    return nextCandidate();
  }

  /** See {@link Accepted#next}: an accepted answer broke (or refused a continuation); the walk goes on from there. */
  Future<Accepted> resume(RouteLease lease, int retriesDone, Verdict broke, int status, ClientBody continuation) {
    requests = continuation;
    Attempt.Judged judged = new Attempt.Judged(broke, status, null);
    return afterFailure(lease, retriesDone, judged, trail.reopen()).onFailure(e -> lease.release());
  }

  private Future<Accepted> nextCandidate() {
    if (ctx.clientGone()) {
      return Attempt.clientGone();
    }
    Candidate next = plan.next();
    plan.takeNotes().forEach(trail::skipped);
    if (next == null) {
      Accepted.ProviderError answer = trail.contextLengthAnswer();
      return answer != null ? Future.succeededFuture(Accepted.providerError(answer))
          : Future.failedFuture(trail.finalError());
    }
    String refusal = budget.refusal(next.alias());
    if (refusal != null) {
      trail.skipped(next, refusal);
      return nextCandidate();
    }
    List<Candidate> choices = new ArrayList<>(List.of(next));
    choices.addAll(plan.restOfAlias());
    Duration wait = budget.capped(ctx.snapshot().concurrency().queueTimeout());
    return leases.take(ctx, choices, plan.isLastResort(), wait).compose(taken -> {
      choices.subList(0, taken.index()).forEach(busy -> trail.skipped(busy, "backend at per_backend_limit"));
      plan.skip(taken.index());
      if (taken.lease() == null) {
        trail.cooling(choices.get(taken.index()), taken.coolingLeft());
        return nextCandidate();
      }
      return tryRoute(taken.lease(), 0);
    });
  }

  private Future<Accepted> tryRoute(RouteLease lease, int retriesDone) {
    Candidate route = lease.candidate();
    String refusal = budget.refusal(route.alias());
    if (ctx.clientGone() || refusal != null) {
      lease.release();
      if (ctx.clientGone()) {
        return Attempt.clientGone();
      }
      trail.skipped(route, refusal);
      return nextCandidate();
    }
    // Futures catch what the mapping code throws: a bug in the proxy fails the walk like a client gone would.
    Future<Buffer> prepared = Future.succeededFuture(route).map(this::prepare);
    if (prepared.cause() instanceof UnservableRequest refused) {
      lease.release();  // never tried: neither judged nor counted against the budget
      trail.refused(route, refused);
      return nextCandidate();
    }
    budget.spend(route.alias());
    Instant started = ctx.scope().clock().instant();
    return prepared.compose(body ->
        attempt.run(route, body, budget.remaining()).compose(judged -> {
          if (!judged.verdict().accepted()) {
            return afterFailure(lease, retriesDone, judged, started);
          }
          lease.succeeded();
          trail.accepted(route, judged, started);
          return Future.succeededFuture(new Accepted(judged.answer(), body, lease, this, retriesDone));
        })).onFailure(err -> lease.release());  // the client left, or a bug: the route is not judged
  }

  /** The client's own request is prepared from its bytes where the preparation can; a continuation from its body. */
  private io.vertx.core.buffer.Buffer prepare(Candidate route) {
    return requests == null ? bodies.prepareOriginal(ctx, route) : bodies.prepare(ctx, requests.forRoute(route), route);
  }

  private Future<Accepted> afterFailure(RouteLease lease, int retriesDone, Attempt.Judged judged, Instant started) {
    Candidate route = lease.candidate();
    Verdict verdict = judged.verdict();
    RetryPolicy.Decision decision = RetryPolicy.decide(verdict, retriesDone, ctx.snapshot().fallback(), random);
    trail.failed(route, judged, started, decision);
    if (decision.retrySameRoute() && budget.allowsRetry(route.alias(), decision.delay())) {
      lease.returnSlot();
      return timer.apply(decision.delay()).compose(v -> leases.retake(ctx, lease)).compose(renewed -> {
        if (renewed == null) {
          trail.skipped(route, "retry skipped: backend at per_backend_limit");
          return nextCandidate();
        }
        return tryRoute(renewed, retriesDone + 1);
      });
    }
    if (verdict.failure() == FailureClass.CONTEXT_LENGTH) {
      lease.succeeded();  // it answered properly: the route is healthy, the prompt too long for it
      plan.contextLengthExceeded();
      if (judged.answer() instanceof Accepted.ProviderError answer) {
        trail.contextLengthAnswer(answer);
      }
    } else if (decision.coolRoute() || decision.retrySameRoute()) {
      Duration cooling = lease.failed(decision.coolFor(), ctx.snapshot().fallback());
      if (verdict.failure() == FailureClass.RATE_LIMITED) {
        trail.rateLimitedFor(cooling);
      }
    }
    lease.release();
    return nextCandidate();
  }
}
