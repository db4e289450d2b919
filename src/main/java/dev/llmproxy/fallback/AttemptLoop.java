package dev.llmproxy.fallback;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.observability.LogFields;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.routing.RoutePlan;
import dev.llmproxy.streaming.ClientResponse;
import dev.llmproxy.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a request from the routes of its alias and, when they all fail, from its fallback aliases.
 *
 * <p>Order: the alias' candidates (priority tiers, shuffled within a tier), skipping routes whose circuit is
 * open; then, if the prompt was too long everywhere, the {@code fallback.on_context_length} aliases; otherwise
 * the {@code fallback.alias_fallback} aliases, each with its own candidates and {@code max_retries} budget; all
 * within the request deadline. A failed attempt goes through {@link RetryPolicy}: retry the route, or cool it
 * and move on. When every route everywhere is cooling, the one whose cooldown ends first is tried anyway.
 */
public final class AttemptLoop {

  private static final Logger LOG = LoggerFactory.getLogger(AttemptLoop.class);

  private final Vertx vertx;
  private final AliasResolver resolver;
  private final CooldownRegistry cooldowns;
  private final BackendSlots backendSlots;
  private final SingleAttempt single;

  public AttemptLoop(Vertx vertx, UpstreamClient upstream, AliasResolver resolver, CooldownRegistry cooldowns,
      BackendSlots backendSlots, Clock clock) {
    this.vertx = vertx;
    this.resolver = resolver;
    this.cooldowns = cooldowns;
    this.backendSlots = backendSlots;
    this.single = new SingleAttempt(vertx, upstream, clock);
  }

  /** Completes when the client response has ended (accepted answer relayed, or the provider's answer returned). */
  public Future<Void> run(RequestContext ctx) {
    RequestAttempts trail = new RequestAttempts();
    List<String> aliases = new ArrayList<>();
    aliases.add(ctx.alias().name());
    aliases.addAll(ctx.snapshot().fallback().aliasFallbacksOf(ctx.alias().name()));
    Candidate lastResort = lastResortIfAllCooling(ctx, aliases, trail);
    Future<Void> served = lastResort != null
        ? lastResort(ctx, lastResort, trail)
        : tryAlias(ctx, aliases, 0, trail);
    return served.recover(err -> err instanceof SingleAttempt.ClientGone
        ? Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"))
        : Future.failedFuture(err));
  }

  private Future<Void> tryAlias(RequestContext ctx, List<String> aliases, int index, RequestAttempts trail) {
    if (index >= aliases.size()) {
      return giveUp(ctx, trail);
    }
    Snapshot snapshot = ctx.snapshot();
    RoutePlan plan = plan(ctx, aliases.get(index), trail);
    plan.skipped().forEach(trail::skipped);
    return tryCandidate(ctx, plan, 0, new int[] {0}, trail).compose(served -> {
      if (served) {
        return Future.succeededFuture();
      }
      if (trail.takeContextLengthFlag()) {
        // The prompt is too long for these models: only the aliases meant for long prompts can help.
        List<String> longer = snapshot.fallback().contextLengthFallbacksOf(ctx.alias().name()).stream()
            .filter(a -> !aliases.subList(0, index + 1).contains(a)).toList();
        if (longer.isEmpty()) {
          return giveUp(ctx, trail);
        }
        List<String> next = new ArrayList<>(aliases.subList(0, index + 1));
        next.addAll(longer);
        return tryAlias(ctx, next, index + 1, trail);
      }
      return tryAlias(ctx, aliases, index + 1, trail);
    });
  }

  /** @return true when the request was served, false when this alias has nothing more to try */
  private Future<Boolean> tryCandidate(
      RequestContext ctx, RoutePlan plan, int index, int[] attemptsInAlias, RequestAttempts trail) {
    if (index >= plan.candidates().size()) {
      return Future.succeededFuture(false);
    }
    int limit = ctx.snapshot().concurrency().backendLimit();
    if (limit <= 0) {
      return tryAdmitted(ctx, plan, index, Slot.NONE, attemptsInAlias, trail);
    }
    // concurrency.per_backend_limit: a candidate whose backend is at its limit is skipped (not failed, not
    // cooled); when every remaining one is, the request waits without a thread for one to free up.
    List<String> backends = plan.candidates().stream().map(c -> c.backend().name()).toList();
    Duration budget = SingleAttempt.min(ctx.snapshot().concurrency().queueTimeout(), remaining(ctx));
    return backendSlots.acquireFirst(ctx, backends, index, limit, budget).compose(pick -> {
      for (int busy = index; busy < pick.index(); busy++) {
        trail.skipped(plan.candidates().get(busy).key() + " (backend at per_backend_limit)");
      }
      return tryAdmitted(ctx, plan, pick.index(), pick.slot(), attemptsInAlias, trail);
    });
  }

  /** The candidate has a backend slot (or needs none); now its circuit decides. */
  private Future<Boolean> tryAdmitted(
      RequestContext ctx, RoutePlan plan, int index, Slot slot, int[] attemptsInAlias, RequestAttempts trail) {
    Candidate candidate = plan.candidates().get(index);
    CooldownRegistry.Admission admission = cooldowns.admit(candidate.key());
    if (admission == CooldownRegistry.Admission.COOLING) {
      slot.release();
      trail.skipped(candidate.key() + " (cooling down, " + seconds(cooldowns.remaining(candidate.key())) + " left)");
      return tryCandidate(ctx, plan, index + 1, attemptsInAlias, trail);
    }
    return tryRoute(ctx, candidate, slot, 0, attemptsInAlias, trail).compose(served -> served
        ? Future.succeededFuture(true)
        : tryCandidate(ctx, plan, index + 1, attemptsInAlias, trail));
  }

  /**
   * Attempts one route, retrying it as the policy says. The backend slot is released when an attempt fails
   * (before any wait), and held until the request finishes when it is accepted. @return true when served
   */
  private Future<Boolean> tryRoute(RequestContext ctx, Candidate candidate, Slot slot, int retriesDone,
      int[] attemptsInAlias, RequestAttempts trail) {
    FallbackSettings settings = ctx.snapshot().fallback();
    Duration remaining = remaining(ctx);
    if (ctx.clientGone()) {
      slot.release();
      cooldowns.abandon(candidate.key());
      return Future.failedFuture(new SingleAttempt.ClientGone());
    }
    if (attemptsInAlias[0] >= settings.maxRetries() || remaining.isZero()) {
      slot.release();
      cooldowns.abandon(candidate.key());
      trail.skipped(candidate.key() + (remaining.isZero() ? " (request deadline reached)" : " (max_retries reached)"));
      return Future.succeededFuture(false);
    }
    attemptsInAlias[0]++;
    return single.run(ctx, candidate, remaining, trail).transform(done -> {
      if (done.failed()) {
        slot.release();
        cooldowns.abandon(candidate.key());
        return Future.failedFuture(done.cause());
      }
      SingleAttempt.Result result = done.result();
      if (result.verdict().accepted()) {
        ctx.onFinish(slot::release);
        cooldowns.success(candidate.key());
        return Future.succeededFuture(true);
      }
      slot.release();
      return afterFailure(ctx, candidate, result, retriesDone, attemptsInAlias, trail);
    });
  }

  private Future<Boolean> afterFailure(RequestContext ctx, Candidate candidate, SingleAttempt.Result result,
      int retriesDone, int[] attemptsInAlias, RequestAttempts trail) {
    Verdict verdict = result.verdict();
    FallbackSettings settings = ctx.snapshot().fallback();
    RetryPolicy.Decision decision = RetryPolicy.decide(verdict, retriesDone, settings, ThreadLocalRandom.current());
    trail.failed(verdict.failure(), verdict.retryAfter());
    ctx.recordAttempt(record(candidate, result.status(), verdict.reason(), result.startedNanos()));
    ctx.errorReason(verdict.reason());
    LOG.warn("attempt failed", kv(LogFields.TRACE_ID, ctx.traceId()), kv(LogFields.ALIAS, candidate.alias()),
        kv(LogFields.BACKEND, candidate.backend().name()), kv(LogFields.MODEL, candidate.model()),
        kv(LogFields.STATUS, result.status()), kv(LogFields.STREAM, ctx.stream()),
        kv("failure_class", verdict.failure().name()), kv(LogFields.ERROR, verdict.reason()),
        kv("decision", decision.why()));
    if (decision.retrySameRoute() && decision.delay().compareTo(remaining(ctx)) < 0
        && attemptsInAlias[0] < settings.maxRetries()) {
      return vertx.timer(Math.max(1, decision.delay().toMillis())).compose(v -> {
        int limit = ctx.snapshot().concurrency().backendLimit();
        Optional<Slot> slot = limit > 0 ? backendSlots.tryAcquire(candidate.backend().name(), limit) : Optional.of(Slot.NONE);
        if (slot.isEmpty()) {
          cooldowns.abandon(candidate.key());
          trail.skipped(candidate.key() + " (retry skipped: backend at per_backend_limit)");
          return Future.succeededFuture(false);
        }
        return tryRoute(ctx, candidate, slot.get(), retriesDone + 1, attemptsInAlias, trail);
      });
    }
    if (verdict.failure() == FailureClass.CONTEXT_LENGTH) {
      cooldowns.success(candidate.key()); // it answered properly: the route is healthy
    } else if (decision.coolRoute() || decision.retrySameRoute()) {
      Duration cooling = cooldowns.failure(candidate.key(), decision.coolFor(), settings.cooldownInitial(),
          settings.cooldownCap());
      if (verdict.failure() == FailureClass.RATE_LIMITED) {
        trail.rateLimitedFor(cooling);
      }
    }
    return Future.succeededFuture(false);
  }

  /**
   * Every route of the alias and of its fallbacks is cooling: rather than failing outright, probe the one whose
   * cooldown ends first (it is the likeliest to have recovered).
   */
  private Candidate lastResortIfAllCooling(RequestContext ctx, List<String> aliases, RequestAttempts trail) {
    Candidate soonest = null;
    for (String alias : aliases) {
      for (Candidate c : plan(ctx, alias, trail).candidates()) {
        if (!cooldowns.isCooling(c.key())) {
          return null; // the usual case, found in the first alias: fallback aliases are not even resolved
        }
        if (soonest == null || cooldowns.remaining(c.key()).compareTo(cooldowns.remaining(soonest.key())) < 0) {
          soonest = c;
        }
      }
    }
    return soonest;
  }

  /** The alias' plan for this request: resolved (and shuffled) once, when first needed. */
  private RoutePlan plan(RequestContext ctx, String alias, RequestAttempts trail) {
    if (alias.equals(ctx.alias().name()) && ctx.plan() != null) {
      return ctx.plan();
    }
    return trail.plan(alias, name -> resolver.plan(ctx.snapshot(), ctx.snapshot().aliases().get(name), ctx.protocol()));
  }

  private Future<Void> lastResort(RequestContext ctx, Candidate candidate, RequestAttempts trail) {
    trail.skipped("every route was cooling down; tried " + candidate.key() + ", whose cooldown ends first");
    cooldowns.forceProbe(candidate.key());
    int limit = ctx.snapshot().concurrency().backendLimit();
    Future<Slot> slot = limit <= 0 ? Future.succeededFuture(Slot.NONE)
        : backendSlots.acquireFirst(ctx, List.of(candidate.backend().name()), 0, limit,
            SingleAttempt.min(ctx.snapshot().concurrency().queueTimeout(), remaining(ctx))).map(BackendSlots.Pick::slot);
    return slot.compose(s -> tryRoute(ctx, candidate, s, 0, new int[] {0}, trail))
        .compose(served -> served ? Future.succeededFuture() : giveUp(ctx, trail));
  }

  /** Nothing was accepted: the provider's own context-length answer if that is what ended it, else our error. */
  private Future<Void> giveUp(RequestContext ctx, RequestAttempts trail) {
    RequestAttempts.ProviderAnswer answer = trail.contextLengthAnswer();
    if (answer != null && !ctx.response().headWritten()) {
      ctx.status(answer.status());
      var response = ctx.response().setStatusCode(answer.status());
      String type = answer.headers().get("content-type");
      response.putHeader("Content-Type", type == null ? "application/json" : type);
      response.putHeader(ClientResponse.ATTEMPTS_HEADER, String.valueOf(ctx.attempts().size()));
      ctx.addBytesOut(answer.body().length());
      ctx.tap().responseBody(answer.body());  // capture: the provider's answer is what the client gets
      return response.end(answer.body());
    }
    return Future.failedFuture(trail.finalError(ctx));
  }

  static AttemptRecord record(Candidate c, int status, String outcome, long startedNanos) {
    long millis = startedNanos == 0 ? 0 : (System.nanoTime() - startedNanos) / 1_000_000;
    return new AttemptRecord(c.alias(), c.backend().name(), c.model(), status, outcome, millis);
  }

  private static Duration remaining(RequestContext ctx) {
    Duration left = ctx.snapshot().requestDeadline().minusNanos(System.nanoTime() - ctx.startNanos());
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static String seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000) + "s";
  }
}
