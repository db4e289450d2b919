package dev.llmproxy.fallback;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.limits.BackendSlots;
import dev.llmproxy.limits.Slot;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.ClientResponse;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamClient;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Tries the candidates of a request's plan in order. An attempt is judged before anything reaches the client
 * (a stream is peeked up to its first content event); a rejected attempt's response is released and the next
 * candidate is tried. The accepted one is relayed, and the returned future completes when the client response
 * has ended.
 */
public final class AttemptLoop {

  /** Non-stream bodies are read whole (to judge them, and to log usage); larger ones are refused, not buffered. */
  static final long MAX_BUFFERED_RESPONSE_BYTES = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final UpstreamClient upstream;
  private final BackendSlots backendSlots;

  public AttemptLoop(Vertx vertx, UpstreamClient upstream, BackendSlots backendSlots) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.backendSlots = backendSlots;
  }

  public Future<Void> run(RequestContext ctx) {
    return attempt(ctx, 0);
  }

  private Future<Void> attempt(RequestContext ctx, int index) {
    List<Candidate> candidates = ctx.plan().candidates();
    if (ctx.clientGone()) {
      return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));
    }
    if (index >= candidates.size()) {
      return Future.failedFuture(allFailed(ctx));
    }
    // ---- BEGIN issue #5 (traffic control): concurrency.per_backend_limit. To port into the rewritten loop:
    // before sending to a candidate, take a backend slot; a candidate whose backend is at its limit is skipped
    // (not failed, not cooled down); when every remaining candidate is at its limit, wait (bounded by
    // queue_timeout) for one to free up. The slot is released when the attempt fails, else when the request
    // finishes (after the response, a stream included, has ended).
    int backendLimit = ctx.snapshot().concurrency().backendLimit();
    if (backendLimit > 0) {
      List<String> backends = candidates.stream().map(c -> c.backend().name()).toList();
      Duration budget = min(ctx.snapshot().concurrency().queueTimeout(), remaining(ctx));
      return backendSlots.acquireFirst(ctx, backends, index, backendLimit, budget)
          .compose(pick -> {
            ctx.onFinish(pick.slot()::release);
            return send(ctx, pick.index(), pick.slot());
          });
    }
    // ---- END issue #5
    return send(ctx, index, Slot.NONE);
  }

  private Future<Void> send(RequestContext ctx, int index, Slot backendSlot) {
    Candidate candidate = ctx.plan().candidates().get(index);
    Snapshot snapshot = ctx.snapshot();
    Duration remaining = remaining(ctx);
    if (remaining.isZero()) {
      backendSlot.release();  // issue #5
      ctx.recordAttempt(record(ctx, candidate, 0, "skipped: request total timeout reached", System.nanoTime()));
      return Future.failedFuture(allFailed(ctx));
    }
    long started = System.nanoTime();
    UpstreamRequest call = new UpstreamRequest(
        candidate,
        ctx.endpoint(),
        bodyFor(ctx, candidate),
        ctx.request().headers(),
        ctx.traceId(),
        snapshot.proxy().forwardClientIp() ? ctx.clientIp() : null,
        min(snapshot.timeouts().connect(), remaining),
        min(snapshot.timeouts().responseHeader(), remaining));
    return upstream.send(call)
        .compose(exchange -> judge(ctx, exchange, started))
        .recover(err -> {
          backendSlot.release();  // issue #5: a failed attempt frees its backend slot before the next one
          if (err instanceof UpstreamFailure failure) {
            ctx.recordAttempt(record(ctx, candidate, 0, failure.getMessage(), started));
            ctx.errorReason(failure.getMessage());
            return attempt(ctx, index + 1);
          }
          return Future.failedFuture(err);
        });
  }

  private Future<Void> judge(RequestContext ctx, UpstreamExchange exchange, long started) {
    if (ctx.clientGone()) {
      exchange.release();
      return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));
    }
    Duration idle = ctx.snapshot().timeouts().idle();
    boolean success = exchange.status() >= 200 && exchange.status() < 300;
    if (ctx.stream() && success && exchange.isEventStream()) {
      SseStream stream = new SseStream(vertx, exchange, ctx.protocol());
      return stream.peek(min(idle, remaining(ctx)))
          .compose(peek -> relayStream(ctx, exchange, stream, peek, started));
    }
    return exchange.readBody(MAX_BUFFERED_RESPONSE_BYTES, min(idle, remaining(ctx)))
        .compose(body -> {
          ctx.recordAttempt(record(ctx, exchange.candidate(), exchange.status(), "accepted", started));
          ClientResponse.commitHeaders(ctx, exchange);
          ctx.markFirstByte();
          ctx.addBytesOut(body.length());
          return ctx.response().end(body);
        });
  }

  private Future<Void> relayStream(
      RequestContext ctx, UpstreamExchange exchange, SseStream stream, SseStream.Peek peek, long started) {
    ctx.recordAttempt(record(ctx, exchange.candidate(), exchange.status(),
        peek.decisive() == StreamEventKind.ERROR ? "accepted (stream error event)" : "accepted", started));
    ClientResponse.commitHeaders(ctx, exchange);
    ctx.response().putHeader("Cache-Control", "no-cache");
    Runnable onGone = stream::clientGone;
    ctx.onClientGone(onGone);
    return stream.relay(ctx.response(), ctx.snapshot().timeouts().idle(), ctx::markFirstByte)
        .map(outcome -> {
          ctx.removeOnClientGone(onGone);
          ctx.addBytesOut(outcome.bytesOut());
          if (!outcome.complete()) {
            ctx.errorReason(outcome.failure());
          }
          return null;
        });
  }

  /** The client's body with the alias replaced by the candidate's real model. */
  private static Buffer bodyFor(RequestContext ctx, Candidate candidate) {
    return ctx.body().copy().put("model", candidate.model()).toBuffer();
  }

  private static ApiError allFailed(RequestContext ctx) {
    List<AttemptRecord> attempts = ctx.attempts();
    String trail = attempts.stream().map(AttemptRecord::describe).collect(Collectors.joining("; "));
    String skipped = ctx.plan().skipped().isEmpty() ? "" : " Skipped: " + String.join("; ", ctx.plan().skipped()) + ".";
    if (attempts.isEmpty()) {
      return ApiError.of(ErrorKind.UNSUPPORTED_PROTOCOL,
          "No route of model \"" + ctx.plan().alias() + "\" can serve this request." + skipped);
    }
    boolean allTimeouts = attempts.stream().allMatch(a -> a.outcome().contains("timeout") || a.outcome().contains("in time"));
    ErrorKind kind = allTimeouts ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.UPSTREAM_FAILED;
    return ApiError.of(kind, "All " + attempts.size() + " attempt(s) for model \"" + ctx.plan().alias()
        + "\" failed: " + trail + "." + skipped);
  }

  private static AttemptRecord record(RequestContext ctx, Candidate c, int status, String outcome, long started) {
    return new AttemptRecord(c.alias(), c.backend().name(), c.model(), status, outcome,
        (System.nanoTime() - started) / 1_000_000);
  }

  private static Duration remaining(RequestContext ctx) {
    long elapsed = System.nanoTime() - ctx.startNanos();
    Duration left = ctx.snapshot().timeouts().total().minusNanos(elapsed);
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
