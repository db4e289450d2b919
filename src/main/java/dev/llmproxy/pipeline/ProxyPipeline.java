package dev.llmproxy.pipeline;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stages of a proxied request in order. A stage that fails short-circuits the rest: the failure is
 * answered to the client (as an {@link ApiError} in the client's protocol, or a generic 500 for a bug), and the
 * finish actions run exactly once, whatever happened.
 *
 * <p>A bug must never leave a request hanging. An exception thrown by a stage, or by any callback a stage set up
 * (a body handler, a timer, an upstream response handler, a stream relay), is never seen by the stage's future;
 * Vert.x reports it to the event loop's exception handler instead. {@link #uncaught} is that handler: it finds the
 * request whose callback threw (each request runs on its own duplicated Vert.x context, and so do the callbacks
 * it sets up, except periodic timers, which Vert.x runs on a fresh context per tick: request code uses one-shot
 * timers), answers it with a 500 at once, or ends its stream with an error event, and stops the rest of its work
 * as if the client had left.
 */
public final class ProxyPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyPipeline.class);

  private final List<Stage> stages;
  private final BiFunction<RequestContext, ApiError, Future<Void>> errorResponder;
  private final Consumer<RequestContext> finisher;
  /**
   * Requests being served, by the context their callbacks run on. Weak keys: a request that somehow never
   * settles cannot pin its context in memory. Synchronized because a worker thread may report an exception.
   */
  private final Map<Context, Run> inFlight = Collections.synchronizedMap(new WeakHashMap<>());

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

  /** Completes when the request has been answered and its finish actions have run. */
  public Future<Void> handle(RequestContext ctx) {
    Run run = new Run(ctx, Vertx.currentContext());
    if (run.context != null) {
      inFlight.put(run.context, run);
    }
    run(ctx, 0).onComplete(done -> run.settle(done.failed() ? done.cause() : null));
    return run.finished.future();
  }

  /**
   * The exception handler of the event loop's context: an exception no future caught. When it comes from a
   * request's callback, that request is answered with a 500 (logged with its trace id); otherwise it is logged.
   */
  public void uncaught(Throwable error) {
    Context current = Vertx.currentContext();
    Run run = current == null ? null : inFlight.get(current);
    if (run == null) {
      LOG.error("unexpected failure outside any request", error);
    } else if (Context.isOnEventLoopThread()) {
      run.abort(error);
    } else {
      current.runOnContext(v -> run.abort(error));  // reported from a worker thread: act on the request's loop
    }
  }

  private Future<Void> run(RequestContext ctx, int index) {
    if (index == stages.size()) {
      return Future.succeededFuture();
    }
    Stage stage = stages.get(index);
    Future<Void> step;
    try {
      step = stage.apply(ctx);
    } catch (Throwable e) {  // an Error (e.g. StackOverflowError) is a bug like any other: answer it
      step = Future.failedFuture(e);
    }
    return step.compose(v -> run(ctx, index + 1));
  }

  /** One request on its way through the stages; settles exactly once, by its stages or by an abort. */
  private final class Run {
    final RequestContext ctx;
    final Context context;
    final Promise<Void> finished = Promise.promise();
    boolean settled;

    Run(RequestContext ctx, Context context) {
      this.ctx = ctx;
      this.context = context;
    }

    void settle(Throwable failure) {
      if (settled) {
        return;
      }
      settled = true;
      Future<Void> answered = failure == null ? Future.succeededFuture() : answerFailure(ctx, failure);
      answered.onComplete(v -> {
        try {
          finish(ctx);
        } finally {
          if (context != null) {
            inFlight.remove(context);
          }
          finished.tryComplete();
        }
      });
    }

    /** A callback of this request threw: answer now, then stop what is still running for it. */
    void abort(Throwable error) {
      if (settled) {
        LOG.error("unexpected failure after the request was answered {}", kv("trace_id", ctx.traceId()), error);
        return;
      }
      settle(error);
      ctx.abandon();
    }
  }

  private Future<Void> answerFailure(RequestContext ctx, Throwable err) {
    ApiError error;
    if (err instanceof ApiError api) {
      error = api;
    } else if (ctx.clientGone()) {
      // The client closed its connection, so writing to it failed: nobody to answer, and no bug of ours.
      LOG.debug("request ended by the client going away {}", kv("trace_id", ctx.traceId()), err);
      error = ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected");
    } else {
      LOG.error("unexpected failure handling request {}", kv("trace_id", ctx.traceId()), err);
      error = ApiError.of(ErrorKind.INTERNAL, "Internal proxy error (trace id " + ctx.traceId() + ").");
    }
    if (ctx.errorReason() == null) {
      ctx.errorReason(error.getMessage());
    }
    HttpServerResponse response = ctx.response();
    if (!response.headWritten()) {
      ctx.status(ctx.clientGone() ? 499 : error.status());
      return errorResponder.apply(ctx, error).recover(e -> Future.succeededFuture());
    }
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    // The answer had started when the bug struck: end it so the client cannot take it for a complete one.
    if (isEventStream(response)) {
      return response.end(ErrorBodies.sseEvent(ctx.protocol(), error.kind(), error.getMessage()))
          .recover(e -> Future.succeededFuture());
    }
    return ctx.request().connection().close().recover(e -> Future.succeededFuture());
  }

  private static boolean isEventStream(HttpServerResponse response) {
    String type = response.headers().get("content-type");
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
  }

  private void finish(RequestContext ctx) {
    for (Runnable action : ctx.takeFinishActions()) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.error("finish action failed for request {}", kv("trace_id", ctx.traceId()), e);
      }
    }
    finisher.accept(ctx);
  }
}
