package dev.llmproxy.pipeline;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a proxied request: the stages in order, then forward (obtain an accepted upstream answer) and relay
 * (deliver it). A step that fails short-circuits the rest: the failure is answered to the client (as an
 * {@link ApiError} in the client's protocol, or a generic 500 for a bug), and the finish actions run exactly
 * once, whatever happened.
 */
public final class ProxyPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyPipeline.class);

  private final Clock clock;
  private final List<Stage> stages;
  private final Function<RequestContext, Future<Void>> forwardThenRelay;
  private final BiFunction<RequestContext, ApiError, Future<Void>> errorResponder;
  private final Consumer<RequestContext> finisher;

  /**
   * @param clock the request path's one time source (deadlines, durations)
   * @param stages in the order a request goes through them
   * @param forward obtains the answer; nothing reaches the client before it completes
   * @param relay delivers it: the only writer of an upstream answer
   * @param errorResponder answers the client with an error (no-op if the response already started)
   * @param finisher runs last for every request: access log, metrics
   */
  public <A> ProxyPipeline(
      Clock clock,
      List<Stage> stages,
      ForwardStage<A> forward,
      RelayStage<A> relay,
      BiFunction<RequestContext, ApiError, Future<Void>> errorResponder,
      Consumer<RequestContext> finisher) {
    this.clock = clock;
    this.stages = List.copyOf(stages);
    this.forwardThenRelay = ctx -> guarded(() -> forward.forward(ctx))
        .compose(answer -> guarded(() -> relay.relay(ctx, answer)));
    this.errorResponder = errorResponder;
    this.finisher = finisher;
  }

  /** The clock requests are created with. */
  public Clock clock() {
    return clock;
  }

  public Future<Void> handle(RequestContext ctx) {
    // Fires only when the connection drops before the response ended: the client went away.
    ctx.response().closeHandler(v -> ctx.scope().cancel());
    return run(ctx, 0)
        .recover(err -> answerFailure(ctx, err))
        .andThen(done -> finish(ctx));
  }

  private Future<Void> run(RequestContext ctx, int index) {
    if (index == stages.size()) {
      return forwardThenRelay.apply(ctx);
    }
    Stage stage = stages.get(index);
    return guarded(() -> stage.apply(ctx)).compose(v -> run(ctx, index + 1));
  }

  /** A step that throws instead of failing its future is a bug: it fails the request like any failure. */
  private static <T> Future<T> guarded(Supplier<Future<T>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> answerFailure(RequestContext ctx, Throwable err) {
    ApiError error;
    if (err instanceof ApiError api) {
      error = api;
    } else {
      LOG.error("unexpected failure handling request {}", kv("trace_id", ctx.traceId()), err);
      error = ApiError.of(ErrorKind.INTERNAL, "Internal proxy error (trace id " + ctx.traceId() + ").");
    }
    if (ctx.errorReason() == null) {
      ctx.errorReason(error.getMessage());
    }
    if (!ctx.response().headWritten()) {
      ctx.status(ctx.clientGone() ? 499 : error.status());
    }
    return errorResponder.apply(ctx, error).recover(e -> Future.succeededFuture());
  }

  private void finish(RequestContext ctx) {
    for (Runnable action : ctx.finishActions()) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.error("finish action failed for request {}", kv("trace_id", ctx.traceId()), e);
      }
    }
    finisher.accept(ctx);
  }
}
