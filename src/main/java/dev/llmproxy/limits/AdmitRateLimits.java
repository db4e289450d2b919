package dev.llmproxy.limits;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/**
 * Pipeline stage: the request-rate limits (per client IP, per model alias, global). Runs once the alias is
 * known. Every answer from here on carries the {@code X-RateLimit-*} headers; a rejection is a 429 with
 * {@code Retry-After}.
 */
public final class AdmitRateLimits implements Stage {

  private final TrafficControl traffic;

  public AdmitRateLimits(TrafficControl traffic) {
    this.traffic = traffic;
  }

  @Override
  public String name() {
    return "admit";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    traffic.sync(ctx.snapshot());
    RateLimiters.Fleet fleet = traffic.fleetRates();
    if (fleet == null) {
      return answer(ctx, traffic.rates().admit(ctx.clientIp(), ctx.alias().name()));
    }
    return fleet.admit(ctx.clientIp(), ctx.alias().name(), ctx.snapshot().rateLimit())
        .compose(decision -> answer(ctx, decision));
  }

  private static Future<Void> answer(RequestContext ctx, RateDecision decision) {
    decision.headers().forEach(ctx.response()::putHeader);
    if (!decision.allowed()) {
      return Future.failedFuture(LimitErrors.rateLimited(decision));
    }
    return Future.succeededFuture();
  }
}
