package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One passed-through answer's bytes on their way to the client, whose status and headers are already set: piped
 * with backpressure, cut when the backend is idle too long or the deadline passes, dropped when the client goes
 * away. Confined to the request's event loop. Idle time and the deadline are read on the request's clock; the
 * Vert.x timers only wake the checks.
 */
final class RawDelivery {

  private final Vertx vertx;
  private final RequestContext ctx;
  private final UpstreamExchange exchange;
  private final RawReader reader;
  private final RelayObserver observer;
  private final Clock clock;
  private final Duration idle;
  private final Promise<Void> done = Promise.promise();
  private Instant lastActivity;
  private long bytesOut;
  private long idleTimer = -1;
  private long deadlineTimer = -1;
  private boolean pausedForClient;
  private boolean finished;

  RawDelivery(Vertx vertx, RequestContext ctx, UpstreamExchange exchange, RawReader reader, RelayObserver observer) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.exchange = exchange;
    this.reader = reader;
    this.observer = observer;
    this.clock = ctx.scope().clock();
    this.idle = ctx.snapshot().timeouts().idle();
  }

  /** Completes when the client response has ended, whatever the reason (the reason is on the request). */
  Future<Void> start() {
    HttpServerResponse client = ctx.response();
    HttpClientResponse body = exchange.response();
    client.drainHandler(v -> {
      pausedForClient = false;
      lastActivity = clock.instant();
      if (!finished) {
        body.resume();
      }
    });
    body.handler(chunk -> {
      lastActivity = clock.instant();
      if (finished) {
        return;
      }
      ctx.markFirstByte();
      ctx.addBytesOut(chunk.length());
      bytesOut += chunk.length();
      reader.chunk(chunk);
      client.write(chunk);
      if (client.writeQueueFull()) {
        pausedForClient = true;
        body.pause();
      }
    });
    body.exceptionHandler(err -> fail("upstream connection broke: " + err.getMessage()));
    body.endHandler(v -> {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimers();
      reader.end();
      client.end().onComplete(ar -> finish(new RelayOutcome(ar.succeeded(),
          ar.succeeded() ? null : "client disconnected", bytesOut, 0, ar.failed())));
    });
    ctx.scope().cancelled().onSuccess(v -> {
      if (!finished) {
        finished = true;
        cancelTimers();
        exchange.release();
        finish(new RelayOutcome(false, "client disconnected", bytesOut, 0, true));
      }
    });
    lastActivity = clock.instant();
    scheduleIdleCheck(idle);
    deadlineTimer = vertx.setTimer(Math.max(1, ctx.scope().remaining().toMillis()),
        id -> fail("request deadline reached (timeout.total)"));
    body.resume();
    return done.future();
  }

  private void fail(String reason) {
    if (finished) {
      return;
    }
    finished = true;
    cancelTimers();
    ctx.errorReason(reason);
    exchange.release();
    RelayOutcome outcome = new RelayOutcome(false, reason, bytesOut, 0, false);
    HttpServerResponse client = ctx.response();
    if (RawRelay.isEventStream(exchange) && client.isChunked()) {
      // An SSE client understands an error event; it must not mistake the cut for a finished answer.
      client.end(ErrorBodies.sseEvent(ctx.protocol(), ErrorKind.UPSTREAM_FAILED, "stream interrupted: " + reason))
          .onComplete(ar -> finish(outcome));
    } else {
      client.reset();
      finish(outcome);
    }
  }

  private void finish(RelayOutcome outcome) {
    if (done.tryComplete()) {
      observer.ended(outcome);
    }
  }

  private void scheduleIdleCheck(Duration delay) {
    idleTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
      idleTimer = -1;
      if (finished) {
        return;
      }
      Duration quiet = Duration.between(lastActivity, clock.instant());
      if (pausedForClient || quiet.compareTo(idle) < 0) {
        scheduleIdleCheck(pausedForClient ? idle : idle.minus(quiet));
      } else {
        fail("upstream idle for " + quiet.toMillis() + " ms (timeout.idle)");
      }
    });
  }

  private void cancelTimers() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
    }
  }
}
