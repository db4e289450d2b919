package dev.llmproxy.relay;

import dev.llmproxy.fallback.Accepted;
import dev.llmproxy.observability.RelayMasking;
import dev.llmproxy.pipeline.RelayStage;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Last pipeline stage, and the only writer of upstream answers to the client: commits the accepted answer's
 * status and headers, then its body, or its stream event by event, and releases the answer's route once the
 * client response has ended. Translation plugs in as an {@link EventTransformer}, capture as a
 * {@link RelayObserver}; neither touches the attempt loop.
 *
 * <p>An upstream error answer (a body with status 400 or more, a stream's error event) is relayed as the provider
 * wrote it except for credentials, masked ({@link RelayMasking}) before the transformer or any observer sees it:
 * providers may quote the key they were sent, and backend keys never reach clients or captures.
 */
public final class Relay implements RelayStage<Accepted> {

  private final List<RelayObserver.Factory> observers;
  private final EventTransformer.Factory transformers;

  /**
   * @param observers opened for every request, called in this order
   * @param transformers chooses how an accepted route's answer is mapped for the client
   */
  public Relay(List<RelayObserver.Factory> observers, EventTransformer.Factory transformers) {
    this.observers = List.copyOf(observers);
    this.transformers = transformers;
  }

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public Future<Void> relay(RequestContext ctx, Accepted accepted) {
    if (ctx.clientGone()) {
      accepted.release();
      return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));  // nobody to tell
    }
    // Delivered inside a future, so that the relay's own code throwing fails it like any failure: the route goes
    // back here, and the pipeline answers the bug (a 500, or an error event once a stream has started). A stream
    // relay has released whatever answer it held by then (a continuation's too); releasing again is a no-op.
    return Future.<Void>succeededFuture().compose(v -> deliver(ctx, accepted)).onFailure(failed -> accepted.release());
  }

  private Future<Void> deliver(RequestContext ctx, Accepted accepted) {
    RelayObserver observer = RelayObserver.all(observers.stream().map(f -> f.open(ctx)).toList());
    observer.requestSent(accepted.route(), accepted.sentBody());
    if (accepted.answer() instanceof Accepted.ProviderError error) {
      return providerError(ctx, error, error.from() == null ? EventTransformer.IDENTITY
          : transformers.forRoute(ctx, error.from()), observer);
    }
    if (accepted.answer() instanceof Accepted.Whole whole) {
      return whole(ctx, accepted, whole, transformers.forRoute(ctx, accepted.route()), observer);
    }
    return stream(ctx, accepted, (Accepted.Stream) accepted.answer(), observer);
  }

  private static Future<Void> whole(RequestContext ctx, Accepted accepted, Accepted.Whole answer,
      EventTransformer transformer, RelayObserver observer) {
    int status = answer.status();
    Buffer upstream = RelayMasking.body(status, answer.body());
    EventTransformer.NonStream toClient = transformer.whole(
        new EventTransformer.NonStream(status, answer.headers(), upstream));
    Buffer body = toClient.body();
    ClientHeaders.commit(ctx, toClient.status(), toClient.headers(), accepted.route());
    observer.accepted(status, answer.headers());
    observer.body(upstream, body);
    ctx.markFirstByte();
    ctx.addBytesOut(body.length());
    return ctx.response().end(body).andThen(ended -> {
      accepted.release();
      observer.ended(new RelayOutcome(ended.succeeded(), ended.succeeded() ? null : "client disconnected",
          body.length(), 0, ended.failed()));
    });
  }

  /**
   * A stream; the stream relay owns the answer from here (it may replace it with a continuation) and releases it
   * however the delivery ends, a bug included. Each leg gets its route's transformer.
   */
  private Future<Void> stream(RequestContext ctx, Accepted accepted, Accepted.Stream answer, RelayObserver observer) {
    ClientHeaders.commit(ctx, answer.exchange().status(), answer.exchange().headers(), accepted.route());
    ctx.response().putHeader("Cache-Control", "no-cache");
    observer.accepted(answer.exchange().status(), answer.exchange().headers());
    return new StreamRelay(ctx, accepted, transformers, observer)
        .start(ctx.snapshot().timeouts().idle())
        .map(outcome -> {
          ctx.addBytesOut(outcome.bytesOut());
          ctx.droppedEvents(outcome.malformedDropped());
          if (!outcome.complete()) {
            ctx.errorReason(outcome.failure());
          }
          return null;
        });
  }

  /**
   * Every route failed and a provider's own error is the answer: returned unchanged but for credentials, and for its
   * shape when it came from a route of the other protocol.
   */
  private static Future<Void> providerError(RequestContext ctx, Accepted.ProviderError error,
      EventTransformer transformer, RelayObserver observer) {
    Buffer upstream = RelayMasking.body(error.status(), error.body());
    EventTransformer.NonStream toClient = transformer.whole(
        new EventTransformer.NonStream(error.status(), error.headers(), upstream));
    Buffer body = toClient.body();
    ClientHeaders.commitReturned(ctx, toClient.status(), toClient.headers());
    observer.accepted(error.status(), error.headers());
    observer.body(upstream, body);
    ctx.addBytesOut(body.length());
    return ctx.response().end(body).andThen(ended -> observer.ended(
        new RelayOutcome(ended.succeeded(), ended.succeeded() ? null : "client disconnected",
            body.length(), 0, ended.failed())));
  }
}
