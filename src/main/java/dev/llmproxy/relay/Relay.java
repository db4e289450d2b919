package dev.llmproxy.relay;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.fallback.Accepted;
import dev.llmproxy.observability.LogFields;
import dev.llmproxy.pipeline.RelayStage;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last pipeline stage, and the only writer of upstream answers to the client: commits the accepted answer's
 * status and headers, then its body, or its stream event by event, and releases the answer's route once the
 * client response has ended. Translation plugs in as an {@link EventTransformer}, capture as a
 * {@link RelayObserver}; neither touches the attempt loop.
 */
public final class Relay implements RelayStage<Accepted> {

  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

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
    try {
      if (ctx.clientGone()) {
        accepted.release();
        return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));  // nobody to tell
      }
      RelayObserver observer = RelayObserver.all(observers.stream().map(f -> f.open(ctx)).toList());
      observer.requestSent(accepted.route(), accepted.sentBody());
      if (accepted.answer() instanceof Accepted.ProviderError error) {
        return providerError(ctx, error, observer);
      }
      EventTransformer transformer = transformers.forRoute(ctx, accepted.route());
      if (accepted.answer() instanceof Accepted.Whole whole) {
        return whole(ctx, accepted, whole, transformer, observer);
      }
      return stream(ctx, accepted, (Accepted.Stream) accepted.answer(), transformer, observer);
    } catch (RuntimeException bug) {
      accepted.release();
      return abort(ctx, bug);
    }
  }

  private static Future<Void> whole(RequestContext ctx, Accepted accepted, Accepted.Whole answer,
      EventTransformer transformer, RelayObserver observer) {
    int status = answer.exchange().status();
    Buffer body = transformer.body(answer.body());
    ClientHeaders.commit(ctx, status, answer.exchange().headers(), accepted.route());
    observer.accepted(status, answer.exchange().headers());
    observer.body(answer.body(), body);
    ctx.markFirstByte();
    ctx.addBytesOut(body.length());
    return ctx.response().end(body).andThen(ended -> {
      accepted.release();
      observer.ended(new RelayOutcome(ended.succeeded(), ended.succeeded() ? null : "client disconnected",
          body.length(), 0, ended.failed()));
    });
  }

  private static Future<Void> stream(RequestContext ctx, Accepted accepted, Accepted.Stream answer,
      EventTransformer transformer, RelayObserver observer) {
    ClientHeaders.commit(ctx, answer.exchange().status(), answer.exchange().headers(), accepted.route());
    ctx.response().putHeader("Cache-Control", "no-cache");
    observer.accepted(answer.exchange().status(), answer.exchange().headers());
    return new StreamRelay(ctx, answer.events(), transformer, observer)
        .start(ctx.snapshot().timeouts().idle())
        .andThen(done -> accepted.release())
        .map(outcome -> {
          ctx.addBytesOut(outcome.bytesOut());
          ctx.droppedEvents(outcome.malformedDropped());
          if (!outcome.complete()) {
            ctx.errorReason(outcome.failure());
          }
          return null;
        });
  }

  /** Every route failed and a provider's own error is the answer: returned unchanged. */
  private static Future<Void> providerError(RequestContext ctx, Accepted.ProviderError error, RelayObserver observer) {
    ClientHeaders.commitReturned(ctx, error.status(), error.headers());
    observer.accepted(error.status(), error.headers());
    observer.body(error.body(), error.body());
    ctx.addBytesOut(error.body().length());
    return ctx.response().end(error.body()).andThen(ended -> observer.ended(
        new RelayOutcome(ended.succeeded(), ended.succeeded() ? null : "client disconnected",
            error.body().length(), 0, ended.failed())));
  }

  /**
   * The relay's own code threw. Before the answer started, that is a 500 like any bug; once it started, the client
   * cannot get another status, so the connection is closed rather than left hanging.
   */
  private static Future<Void> abort(RequestContext ctx, RuntimeException bug) {
    if (!ctx.response().headWritten()) {
      return Future.failedFuture(bug);
    }
    LOG.error("relay failed after the answer started", kv(LogFields.TRACE_ID, ctx.traceId()), bug);
    ctx.errorReason("internal proxy error while relaying");
    ctx.response().reset();
    return Future.succeededFuture();
  }
}
