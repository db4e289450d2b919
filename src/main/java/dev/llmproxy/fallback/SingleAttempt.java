package dev.llmproxy.fallback;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.FailureClassifier;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.observability.ForwardLog;
import dev.llmproxy.observability.UsageExtractor;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.ClientResponse;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamClient;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;

/**
 * One try of one candidate: send, judge before anything reaches the client, then either relay the answer (the
 * returned verdict is accepted, and the future completes when the client response has ended) or release it
 * (the verdict says why it failed). Failures never escape as exceptions, except the client going away.
 */
final class SingleAttempt {

  /** Non-stream bodies are read whole (to judge them); larger ones are refused rather than buffered. */
  static final long MAX_BUFFERED_RESPONSE_BYTES = 64L * 1024 * 1024;

  private final Vertx vertx;
  private final UpstreamClient upstream;
  private final Clock clock;

  SingleAttempt(Vertx vertx, UpstreamClient upstream, Clock clock) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.clock = clock;
  }

  /** A verdict and, for an HTTP answer, its status (0 when there was none). */
  record Result(Verdict verdict, int status, long startedNanos) {}

  Future<Result> run(RequestContext ctx, Candidate candidate, Duration remaining, RequestAttempts trail) {
    Snapshot snapshot = ctx.snapshot();
    long started = System.nanoTime();
    UpstreamRequest call = new UpstreamRequest(
        candidate,
        ctx.endpoint(),
        ctx.body().copy().put("model", candidate.model()).toBuffer(),
        ctx.request().headers(),
        ctx.traceId(),
        snapshot.proxy().forwardClientIp() ? ctx.clientIp() : null,
        min(snapshot.timeouts().connect(), remaining),
        min(snapshot.timeouts().responseHeader(), remaining));
    Promise<Void> clientLeft = Promise.promise();
    Runnable cancel = clientLeft::tryComplete;
    ctx.onClientGone(cancel);
    return upstream.send(call, clientLeft.future()).transform(sent -> {
      ctx.removeOnClientGone(cancel);
      if (ctx.clientGone()) {
        if (sent.succeeded()) {
          sent.result().release();
        }
        return Future.failedFuture(new ClientGone());
      }
      if (sent.failed()) {
        UpstreamFailure failure = UpstreamFailure.from(sent.cause());
        ForwardLog.failed(ctx, call, failure, started);  // observability: forward-failure line + metric
        return Future.succeededFuture(new Result(FailureClassifier.transport(failure), 0, started));
      }
      UpstreamExchange exchange = sent.result();
      return judge(ctx, exchange, remaining, trail, started);
    });
  }

  private Future<Result> judge(
      RequestContext ctx, UpstreamExchange exchange, Duration remaining, RequestAttempts trail, long started) {
    int status = exchange.status();
    Snapshot snapshot = ctx.snapshot();
    if (ctx.stream() && status >= 200 && status < 300 && exchange.isEventStream()) {
      SseStream stream = new SseStream(vertx, exchange, ctx.protocol());
      ctx.tap().streamStarted();  // capture: events of an earlier, rejected stream no longer count
      stream.observeEvents(event -> {
        UsageExtractor.recordEvent(ctx, event);  // observability: token usage
        ctx.tap().streamEvent(event.name(), event.data());  // capture: the stream as the client gets it
      });
      Runnable onGone = stream::clientGone;
      ctx.onClientGone(onGone);
      return stream.peek(min(snapshot.timeouts().firstToken(), remaining)).transform(peeked -> {
        if (peeked.failed()) {
          ctx.removeOnClientGone(onGone);
          if (ctx.clientGone()) {
            return Future.failedFuture(new ClientGone());
          }
          return Future.succeededFuture(new Result(FailureClassifier.transport(UpstreamFailure.from(peeked.cause())), status, started));
        }
        SseStream.Peek peek = peeked.result();
        Verdict verdict = peek.decisive() == StreamEventKind.ERROR
            ? FailureClassifier.streamError(peek.event().data())
            : peek.decisive() == null
                ? Verdict.fail(FailureClass.TRANSIENT, "stream ended before any content")
                : Verdict.accept();
        if (!verdict.accepted()) {
          ctx.removeOnClientGone(onGone);
          stream.discard();
          return Future.succeededFuture(new Result(verdict, status, started));
        }
        return relayStream(ctx, exchange, stream, verdict, started).andThen(done -> ctx.removeOnClientGone(onGone));
      });
    }
    Runnable release = exchange::release;
    ctx.onClientGone(release);
    return exchange.readBody(MAX_BUFFERED_RESPONSE_BYTES, min(snapshot.timeouts().idle(), remaining)).transform(read -> {
      ctx.removeOnClientGone(release);
      if (ctx.clientGone()) {
        return Future.failedFuture(new ClientGone());
      }
      if (read.failed()) {
        return Future.succeededFuture(new Result(FailureClassifier.transport(UpstreamFailure.from(read.cause())), status, started));
      }
      Buffer body = read.result();
      Verdict verdict = FailureClassifier.response(snapshot.detectionFor(exchange.candidate().backend()), status,
          exchange.headers(), body, clock.instant());
      if (!verdict.accepted()) {
        if (verdict.failure() == FailureClass.CONTEXT_LENGTH) {
          trail.contextLengthAnswer(new RequestAttempts.ProviderAnswer(status, exchange.headers(), body));
        }
        return Future.succeededFuture(new Result(verdict, status, started));
      }
      UsageExtractor.recordBody(ctx, body);  // observability: token usage
      ctx.tap().responseBody(body);  // capture: the answer the client gets
      ctx.recordAttempt(AttemptLoop.record(exchange.candidate(), status, verdict.reason(), started));
      ClientResponse.commitHeaders(ctx, exchange);
      ctx.markFirstByte();
      ctx.addBytesOut(body.length());
      return ctx.response().end(body).map(new Result(verdict, status, started));
    });
  }

  private Future<Result> relayStream(
      RequestContext ctx, UpstreamExchange exchange, SseStream stream, Verdict verdict, long started) {
    ctx.recordAttempt(AttemptLoop.record(exchange.candidate(), exchange.status(), verdict.reason(), started));
    ClientResponse.commitHeaders(ctx, exchange);
    ctx.response().putHeader("Cache-Control", "no-cache");
    return stream.relay(ctx.response(), ctx.snapshot().timeouts().idle(), ctx::markFirstByte).map(outcome -> {
      ctx.addBytesOut(outcome.bytesOut());
      ctx.droppedEvents(outcome.malformedDropped());
      if (!outcome.complete()) {
        ctx.errorReason(outcome.failure());
      }
      return new Result(verdict, exchange.status(), started);
    });
  }

  static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The client went away: nothing more to do for this request. */
  static final class ClientGone extends RuntimeException {
    ClientGone() {
      super("client disconnected", null, false, false);
    }
  }
}
