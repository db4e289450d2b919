package dev.llmproxy.fallback;

import dev.llmproxy.demotion.StreamAssembler;
import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.FailureClassifier;
import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Demotion ({@code demote_nonstreaming}, docs/translation.md#demotion): the client wants one JSON answer, and the
 * route is asked for a stream instead, so a long answer never waits for {@code timeout.response_header}. The
 * stream, once peeked and judged like any stream, is read to its end here, inside the attempt, and reassembled
 * ({@link StreamAssembler}) into the exact body the backend's non-stream operation would have returned. The
 * answer is judged whole before anything reaches the client: a stream that fails at any point falls back
 * invisibly, like a failed non-stream answer. Confined to the request's event loop.
 */
public final class DemotedStream {

  /** The status given to an in-band error answered as is (the stream's own status was 2xx). */
  static final int IN_BAND_ERROR_STATUS = 400;

  private final RequestContext ctx;
  private final Candidate route;

  private DemotedStream(RequestContext ctx, Candidate route) {
    this.ctx = ctx;
    this.route = route;
  }

  /** Whether {@code route} gets this request as a stream that the proxy reassembles for the client. */
  public static boolean applies(RequestContext ctx, Candidate route) {
    Endpoint endpoint = ctx.endpoint();
    boolean reassembled = endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.MESSAGES
        || endpoint == Endpoint.RESPONSES;
    return reassembled && !ctx.stream() && route.route().demotes(route.backend());
  }

  /**
   * Reads the accepted stream of {@code peeked} to its end and judges the whole. A client gone meanwhile ends it
   * like any attempt ({@link Attempt#clientGone}).
   */
  static Future<Attempt.Judged> collect(RequestContext ctx, Attempt.Judged peeked, Duration idle) {
    if (!(peeked.answer() instanceof Accepted.Stream stream)) {
      return Future.succeededFuture(peeked);  // failed before any content: judged already
    }
    return new DemotedStream(ctx, stream.exchange().candidate()).read(stream, idle);
  }

  private Future<Attempt.Judged> read(Accepted.Stream stream, Duration idle) {
    Endpoint call = route.call(ctx.endpoint());
    StreamAssembler assembler = StreamAssembler.of(call);
    UpstreamExchange exchange = stream.exchange();
    Promise<Attempt.Judged> judged = Promise.promise();
    ctx.scope().cancelled().onSuccess(v -> judged.tryFail(
        new UpstreamFailure(TransportFailure.RESET, "client disconnected")));
    stream.events().deliverTo(new SseStream.Sink() {
      @Override
      public void event(SseEvent event, StreamEventKind kind) {
        assembler.onEvent(event.name(), event.data());
        if (assembler.error() != null && !judged.future().isComplete()) {
          // The answer is over: judged now, not when (or if) the upstream gets round to closing the stream.
          stream.events().discard();
          judged.tryComplete(judge(exchange, assembler));
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void ended() {
        judged.tryComplete(judge(exchange, assembler));
      }

      @Override
      public void failed(Throwable cause) {
        if (cause instanceof UpstreamFailure failure) {
          String reason = "stream broke before it was reassembled: " + failure.getMessage();
          judged.tryComplete(new Attempt.Judged(FailureClassifier.transport(failure.kind(), reason),
              exchange.status(), null));
        } else {
          judged.tryFail(cause);  // a bug in the proxy's own event handling
        }
      }
    }, idle);
    return judged.future().transform(done -> {
      if (ctx.scope().isCancelled()) {
        stream.events().discard();
        return Attempt.clientGone();
      }
      return done.failed() ? Future.failedFuture(done.cause()) : Future.succeededFuture(done.result());
    });
  }

  private Attempt.Judged judge(UpstreamExchange exchange, StreamAssembler assembler) {
    JsonObject error = assembler.error();
    if (error != null) {
      // The provider's in-band error is an error body of its protocol as it stands: judged like a stream's error
      // event, and answered as a 400 when it is the client's to see (content policy, context length everywhere).
      Verdict verdict = FailureClassifier.streamError(error.encode());
      MultiMap headers = json(exchange.headers());
      if (verdict.accepted()) {
        return new Attempt.Judged(verdict, IN_BAND_ERROR_STATUS,
            new Accepted.Whole(exchange, IN_BAND_ERROR_STATUS, headers, error.toBuffer()));
      }
      Accepted.Answer answer = verdict.failure() == FailureClass.CONTEXT_LENGTH
          ? new Accepted.ProviderError(IN_BAND_ERROR_STATUS, headers, error.toBuffer(), route) : null;
      return new Attempt.Judged(verdict, exchange.status(), answer);
    }
    if (!assembler.complete()) {
      return new Attempt.Judged(Verdict.fail(FailureClass.TRANSIENT,
          "stream ended before the answer was complete"), exchange.status(), null);
    }
    return new Attempt.Judged(Verdict.accept(), exchange.status(),
        new Accepted.Whole(exchange, exchange.status(), json(exchange.headers()), assembler.result().toBuffer()));
  }

  /** The stream's headers for the JSON body made of it. */
  private static MultiMap json(MultiMap streamHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(streamHeaders);
    headers.set("content-type", "application/json");
    return headers;
  }
}
