package dev.llmproxy.pipeline;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages of a proxied request in order. A stage that fails short-circuits the rest: the failure is
 * answered to the client (as an {@link ApiError} in the client's protocol, or a generic 500 for a bug), and the
 * finish actions run exactly once, whatever happened.
 */
public final class ProxyPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyPipeline.class);

  private final List<Stage> stages;
  private final BiFunction<RequestContext, ApiError, Future<Void>> errorResponder;
  private final Consumer<RequestContext> finisher;

  /**
   * @param stages in the order a request goes through them
   * @param errorResponder answers the client with an error (no-op if the response already started)
   * @param finisher runs last for every request: access log, metrics
   */
  public ProxyPipeline(
      List<Stage> stages,
      BiFunction<RequestContext, ApiError, Future<Void>> errorResponder,
      Consumer<RequestContext> finisher) {
    this.stages = List.copyOf(stages);
    this.errorResponder = errorResponder;
    this.finisher = finisher;
  }

  public Future<Void> handle(RequestContext ctx) {
    return run(ctx, 0)
        .recover(err -> answerFailure(ctx, err))
        .andThen(done -> finish(ctx));
  }

  private Future<Void> run(RequestContext ctx, int index) {
    if (index == stages.size() || ctx.served()) {
      return Future.succeededFuture();
    }
    Stage stage = stages.get(index);
    Future<Void> step;
    try {
      step = stage.apply(ctx);
    } catch (RuntimeException e) {
      step = Future.failedFuture(e);
    }
    return step.compose(v -> run(ctx, index + 1));
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
