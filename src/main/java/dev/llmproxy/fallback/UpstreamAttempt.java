package dev.llmproxy.fallback;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.FailureClassifier;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.observability.ForwardLog;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.RequestScope;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamClient;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;

/**
 * An {@link Attempt} over the network, for one request: sends on the pooled upstream client, then judges with
 * the status and headers, and either the whole body (non-stream) or the stream peeked to its first content.
 * A client that goes away resets the pending call or stream, so the backend stops generating for nobody.
 */
final class UpstreamAttempt implements Attempt {

  /** Non-stream bodies are read whole (to judge them); larger ones are refused rather than buffered. */
  static final long MAX_BUFFERED_RESPONSE_BYTES = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final UpstreamClient upstream;
  private final RequestContext ctx;
  private final RequestScope scope;
  private final LocalAnswer local;

  UpstreamAttempt(Vertx vertx, UpstreamClient upstream, RequestContext ctx, LocalAnswer local) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.ctx = ctx;
    this.scope = ctx.scope();
    this.local = local;
  }

  @Override
  public Future<Judged> run(Candidate route, Buffer body, Duration remaining) {
    Future<Accepted.Whole> answered = local.answer(ctx, route);
    if (answered != null) {
      return answered.map(whole -> new Judged(Verdict.accept(), whole.status(), whole));
    }
    Snapshot snapshot = ctx.snapshot();
    Instant started = scope.clock().instant();
    boolean demoted = DemotedStream.applies(ctx, route);
    // A translated route is called with its protocol's counterpart of the client's operation.
    UpstreamRequest call = new UpstreamRequest(route, route.call(ctx.endpoint()), body, ctx.request().headers(),
        ctx.traceId(), snapshot.proxy().forwardClientIp() ? ctx.clientIp() : null,
        min(snapshot.timeouts().connect(), remaining), min(snapshot.timeouts().responseHeader(), remaining),
        ctx.stream() || demoted);
    return upstream.send(call, scope.cancelled()).transform(sent -> {
      if (scope.isCancelled()) {
        if (sent.succeeded()) {
          sent.result().release();
        }
        return Attempt.clientGone();
      }
      if (sent.failed()) {
        if (sent.cause() instanceof UpstreamFailure failure) {
          ForwardLog.failed(ctx, call, failure, Duration.between(started, scope.clock().instant()));
        }
        return notAnswered(sent, 0);
      }
      UpstreamExchange exchange = sent.result();
      boolean stream = call.stream() && exchange.status() >= 200 && exchange.status() < 300
          && exchange.isEventStream();
      if (!stream) {
        return read(exchange, remaining);  // an error status, or a demoted route that sent one JSON body anyway
      }
      return demoted
          ? peek(exchange, remaining).compose(peeked -> DemotedStream.collect(ctx, peeked,
              min(snapshot.timeouts().idle(), remaining)))
          : peek(exchange, remaining);
    });
  }

  private Future<Judged> peek(UpstreamExchange exchange, Duration remaining) {
    // Events mean what the backend's protocol says: the client's for a route that speaks it (the echo backend
    // included), the backend's own for a translated route, whose events are judged before translation.
    SseStream events = new SseStream(vertx, scope.clock(), exchange, exchange.candidate().answers(ctx.endpoint()));
    scope.cancelled().onSuccess(v -> events.discard());  // a no-op once the stream has ended
    return events.peek(min(ctx.snapshot().timeouts().firstToken(), remaining)).transform(peeked -> {
      if (scope.isCancelled()) {
        return Attempt.clientGone();
      }
      if (peeked.failed()) {
        return notAnswered(peeked, exchange.status());
      }
      SseStream.Peek peek = peeked.result();
      Verdict verdict = peek.decisive() == StreamEventKind.ERROR
          ? FailureClassifier.streamError(peek.event().data())
          : peek.decisive() == null
              ? Verdict.fail(FailureClass.TRANSIENT, "stream ended before any content")
              : Verdict.accept();
      if (!verdict.accepted()) {
        events.discard();
        return Future.succeededFuture(new Judged(verdict, exchange.status(), null));
      }
      return Future.succeededFuture(new Judged(verdict, exchange.status(), new Accepted.Stream(exchange, events)));
    });
  }

  private Future<Judged> read(UpstreamExchange exchange, Duration remaining) {
    Snapshot snapshot = ctx.snapshot();
    Future<Buffer> reading = exchange.readBody(MAX_BUFFERED_RESPONSE_BYTES, min(snapshot.timeouts().idle(), remaining));
    scope.cancelled().onSuccess(v -> {
      if (!reading.isComplete()) {
        exchange.release();
      }
    });
    return reading.transform(read -> {
      if (scope.isCancelled()) {
        return Attempt.clientGone();
      }
      if (read.failed()) {
        return notAnswered(read, exchange.status());
      }
      Buffer body = read.result();
      Verdict verdict = FailureClassifier.response(snapshot.detectionFor(exchange.candidate().backend()),
          exchange.status(), exchange.headers(), body, scope.clock().instant());
      Accepted.Answer answer = verdict.accepted() ? new Accepted.Whole(exchange, body)
          : verdict.failure() == FailureClass.CONTEXT_LENGTH
              ? new Accepted.ProviderError(exchange.status(), exchange.headers(), body, exchange.candidate())
              : null;
      return Future.succeededFuture(new Judged(verdict, exchange.status(), answer));
    });
  }

  /**
   * A transport failure is judged like any failed answer. Anything else is the proxy's own fault and fails the
   * attempt, so the walk ends and no route is cooled for it: a bug, or an {@link dev.llmproxy.protocol.ApiError}
   * that is itself the client's answer (the built-in echo backend failed, see {@link UpstreamClient#send}).
   */
  private static Future<Judged> notAnswered(AsyncResult<?> result, int status) {
    if (result.cause() instanceof UpstreamFailure failure) {
      return Future.succeededFuture(
          new Judged(FailureClassifier.transport(failure.kind(), failure.getMessage()), status, null));
    }
    return Future.failedFuture(result.cause());
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
