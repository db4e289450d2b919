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
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a proxied request: the stages in order, then forward (obtain an accepted upstream answer) and relay
 * (deliver it). A step that fails short-circuits the rest: the failure is answered to the client (as an
 * {@link ApiError} in the client's protocol, or a generic 500 for a bug), and the finish actions run exactly
 * once, whatever happened.
 *
 * <p><b>The bug guard.</b> A bug must never leave a request hanging, and only this class answers one: code that
 * holds something (the attempt loop its lease, the relay its answer, a stream its upstream) releases it and passes
 * the exception on, never answers it itself. A bug reaches {@link Run#fail} by one of two ways:
 * <ul>
 *   <li>as the failure of the request's chain of steps: each step is called inside a future's callback, and a
 *       future turns a throw (an {@link Error} too) into its failure, so a step that throws and a step whose
 *       future fails are one case;
 *   <li>through {@link #uncaught}, each event loop's exception handler, for an exception thrown by a callback no
 *       future watches (a body handler, a timer, an upstream response handler). It finds the request by the
 *       Vert.x context the callback ran on: each request runs on its own duplicated context, and so does every
 *       callback it sets up, except periodic timers (Vert.x runs each tick on a fresh context), so request code
 *       uses one-shot timers.
 * </ul>
 * Either way the request is answered at once: a 500 before its answer started, an error event when a stream
 * had started, otherwise its connection closed (a cut answer must not pass for a complete one). Then the
 * request's scope is cancelled, so whatever still runs for it stops as if the client had left: no upstream keeps
 * generating, no fallback starts, and no route is judged for the proxy's own fault.
 */
public final class ProxyPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyPipeline.class);

  private final Clock clock;
  private final List<Stage> stages;
  private final Function<RequestContext, Future<Void>> forwardThenRelay;
  private final BiFunction<RequestContext, ApiError, Future<Void>> errorResponder;
  private final Consumer<RequestContext> finisher;
  /**
   * Requests being served, by the context their callbacks run on. Weak keys: a request that somehow never
   * settles cannot pin its context in memory. Synchronized because a worker thread may report an exception.
   */
  private final Map<Context, Run> inFlight = Collections.synchronizedMap(new WeakHashMap<>());

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
    this(clock, stages, forwardThenRelay(forward, relay), errorResponder, finisher);
  }

  private ProxyPipeline(
      Clock clock,
      List<Stage> stages,
      Function<RequestContext, Future<Void>> forwardThenRelay,
      BiFunction<RequestContext, ApiError, Future<Void>> errorResponder,
      Consumer<RequestContext> finisher) {
    this.clock = clock;
    this.stages = List.copyOf(stages);
    this.forwardThenRelay = forwardThenRelay;
    this.errorResponder = errorResponder;
    this.finisher = finisher;
  }

  /**
   * This pipeline, where the requests {@code diverted} selects once every stage has run take another forward →
   * relay (the transparent mode's passthrough: a stage decided the request is not routed by alias). The stages,
   * the error answer and the finish step are the same for both ways; a stage never serves a request itself.
   */
  public <B> ProxyPipeline divert(Predicate<RequestContext> diverted, ForwardStage<B> forward, RelayStage<B> relay) {
    Function<RequestContext, Future<Void>> other = forwardThenRelay(forward, relay);
    Function<RequestContext, Future<Void>> usual = forwardThenRelay;
    return new ProxyPipeline(clock, stages, ctx -> diverted.test(ctx) ? other.apply(ctx) : usual.apply(ctx),
        errorResponder, finisher);
  }

  /**
   * Forward, then relay. Both ways are called from {@link #run} inside a future's callback, so either way comes
   * under the one bug guard: a throw in the choice, the forward or the relay fails the chain (see the class
   * comment).
   */
  private static <A> Function<RequestContext, Future<Void>> forwardThenRelay(ForwardStage<A> forward,
      RelayStage<A> relay) {
    return ctx -> forward.forward(ctx).compose(answer -> relay.relay(ctx, answer));
  }

  /** The clock requests are created with. */
  public Clock clock() {
    return clock;
  }

  /** Completes when the request has been answered and its finish actions have run. */
  public Future<Void> handle(RequestContext ctx) {
    // Fires only when the connection drops before the response ended: the client went away.
    ctx.response().closeHandler(v -> ctx.scope().cancel());
    Run run = new Run(ctx, Vertx.currentContext());
    if (run.context != null) {
      inFlight.put(run.context, run);
    }
    Future.<Void>succeededFuture().compose(v -> run(ctx, 0)).onComplete(done -> {
      if (done.succeeded()) {
        run.succeed();
      } else {
        run.fail(done.cause());
      }
    });
    return run.finished.future();
  }

  /**
   * The exception handler of the event loop's context: an exception no future caught. When it comes from a
   * request's callback, that request is failed like any bug (see the class comment); otherwise it is logged.
   */
  public void uncaught(Throwable error) {
    uncaught(List.of(this), error);
  }

  /**
   * The exception handler of an event loop's context that several pipelines serve requests on (routed and
   * passed-through requests): the request the exception comes from is failed by the pipeline serving it.
   */
  public static void uncaught(List<ProxyPipeline> pipelines, Throwable error) {
    Context current = Vertx.currentContext();
    Run run = null;
    for (int i = 0; current != null && run == null && i < pipelines.size(); i++) {
      run = pipelines.get(i).inFlight.get(current);
    }
    if (run == null) {
      LOG.error("unexpected failure outside any request", error);
    } else if (Context.isOnEventLoopThread()) {
      run.fail(error);
    } else {
      Run failed = run;
      current.runOnContext(v -> failed.fail(error));  // reported from a worker thread: act on the request's loop
    }
  }

  /** Called inside a future's callback, so that a step that throws fails the chain (see the class comment). */
  private Future<Void> run(RequestContext ctx, int index) {
    if (index == stages.size()) {
      return forwardThenRelay.apply(ctx);
    }
    return stages.get(index).apply(ctx).compose(v -> run(ctx, index + 1));
  }

  /** One request on its way through the steps; settles exactly once, when its chain ends or a bug strikes. */
  private final class Run {
    final RequestContext ctx;
    final Context context;
    final Promise<Void> finished = Promise.promise();
    boolean settled;

    Run(RequestContext ctx, Context context) {
      this.ctx = ctx;
      this.context = context;
    }

    void succeed() {
      if (!settled) {
        settled = true;
        finishAfter(Future.succeededFuture());
      }
    }

    /** The chain failed (an error to answer, or a bug), or a callback of this request threw. */
    void fail(Throwable failure) {
      if (settled) {
        if (!(failure instanceof ApiError) && !ctx.clientGone()) {
          LOG.error("unexpected failure after the request was answered {}", kv("trace_id", ctx.traceId()), failure);
        }
        return;
      }
      settled = true;
      boolean bug = !(failure instanceof ApiError) && !ctx.clientGone();
      ApiError error = asApiError(ctx, failure);
      Future<Void> answered = answer(ctx, error);
      if (bug) {
        ctx.abandon();  // stop what still runs for it; that work ends as for a client gone ...
        ctx.errorReason(error.getMessage());  // ... but the request's access line names the bug
      } else if (ctx.errorReason() == null) {
        ctx.errorReason(error.getMessage());
      }
      finishAfter(answered);
    }

    private void finishAfter(Future<Void> answered) {
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
  }

  private static ApiError asApiError(RequestContext ctx, Throwable err) {
    if (err instanceof ApiError api) {
      return api;
    }
    if (ctx.clientGone()) {
      // The client closed its connection, so writing to it failed: nobody to answer, and no bug of ours.
      LOG.debug("request ended by the client going away {}", kv("trace_id", ctx.traceId()), err);
      return ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected");
    }
    LOG.error("unexpected failure handling request {}", kv("trace_id", ctx.traceId()), err);
    return ApiError.of(ErrorKind.INTERNAL, "Internal proxy error (trace id " + ctx.traceId() + ").");
  }

  private Future<Void> answer(RequestContext ctx, ApiError error) {
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
    return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
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
