package dev.llmproxy.passthrough;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.observability.ForwardLog;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.ForwardStage;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.upstream.Outgoing;
import dev.llmproxy.upstream.UpstreamClient;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;

/**
 * The forward of a request marked for passthrough ({@link RequestContext#passthrough()}): sends it as the client
 * made it — method, path, query, headers but hop-by-hop ones, body bytes — to the target backend, within the
 * usual connect and response-header timeouts, and hands the paused answer to {@link RawRelay}. One try: there is
 * no fallback, and whatever the provider answers is the answer. One per event loop.
 */
public final class Passthrough implements ForwardStage<UpstreamExchange> {

  private final UpstreamClient upstream;

  public Passthrough(UpstreamClient upstream) {
    this.upstream = upstream;
  }

  /** Whether a stage marked the request for passthrough rather than alias routing. */
  public static boolean marked(RequestContext ctx) {
    return ctx.passthrough() != null;
  }

  @Override
  public String name() {
    return "passthrough";
  }

  @Override
  public Future<UpstreamExchange> forward(RequestContext ctx) {
    RequestContext.PassthroughTarget target = ctx.passthrough();
    Snapshot snapshot = ctx.snapshot();
    Backend backend = target.backend();
    if (!backend.enabled()) {
      return Future.failedFuture(ApiError.of(ErrorKind.UNAVAILABLE, "Passthrough backend \"" + backend.name()
          + "\" is disabled: " + backend.disabledReason() + "."));
    }
    String model = ctx.model() == null ? PassthroughModel.NO_MODEL : ctx.model();
    Candidate candidate = new Candidate(ctx.alias() == null ? model : ctx.alias().name(), backend,
        new Route(backend.name(), model, 0, 1));
    MultiMap headers = UpstreamClient.forwardedHeaders(ctx.request().headers(), backend, ctx.traceId(),
        snapshot.proxy().forwardClientIp() ? ctx.clientIp() : null);
    String contentType = ctx.request().getHeader("content-type");
    if (contentType != null) {
      headers.set("content-type", contentType);
    }
    HttpMethod method = ctx.request().method();
    Buffer body = ctx.rawBody() == null || (ctx.rawBody().length() == 0 && !hasBody(method)) ? null : ctx.rawBody();
    Outgoing request = new Outgoing(method, backend.url() + target.upstreamPath(), headers, body);
    Instant started = ctx.scope().clock().instant();
    Duration remaining = remaining(ctx);
    return upstream.sendRaw(candidate, request, min(snapshot.timeouts().connect(), remaining),
            min(snapshot.timeouts().responseHeader(), remaining), ctx.scope().cancelled())
        .transform(sent -> {
          if (ctx.clientGone()) {
            if (sent.succeeded()) {
              sent.result().release();
            }
            return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));
          }
          if (sent.failed()) {
            UpstreamFailure failure = UpstreamFailure.from(sent.cause());
            ctx.recordAttempt(record(ctx, candidate, 0, failure.getMessage(), started));
            ForwardLog.passthroughFailed(ctx, backend.name(), target.upstreamPath(), failure,
                Duration.between(started, ctx.scope().clock().instant()));
            boolean timeout = failure.kind().name().endsWith("TIMEOUT");
            return Future.failedFuture(ApiError.of(timeout ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.UPSTREAM_FAILED,
                "Passthrough to backend \"" + backend.name() + "\" failed: " + failure.getMessage() + "."));
          }
          UpstreamExchange exchange = sent.result();
          ctx.recordAttempt(record(ctx, candidate, exchange.status(), "passthrough", started));
          return Future.succeededFuture(exchange);
        });
  }

  private static boolean hasBody(HttpMethod method) {
    return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
  }

  private static AttemptRecord record(RequestContext ctx, Candidate c, int status, String outcome, Instant started) {
    return new AttemptRecord(c.alias(), c.backend().name(), c.model(), status, outcome,
        Duration.between(started, ctx.scope().clock().instant()).toMillis());
  }

  /** The request's time left; at least a millisecond, so a spent deadline times out rather than meaning "none". */
  static Duration remaining(RequestContext ctx) {
    Duration left = ctx.scope().remaining();
    return left.isZero() ? Duration.ofMillis(1) : left;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
