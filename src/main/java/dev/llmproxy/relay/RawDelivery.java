package dev.llmproxy.relay;

import dev.llmproxy.observability.RelayMasking;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.streaming.ErrorEvents;
import dev.llmproxy.streaming.SseEventSplitter;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One passed-through answer's bytes on their way to the client: piped with backpressure, cut when the backend is
 * idle too long or the deadline passes, dropped when the client goes away. Three ways, by the answer:
 * <ul>
 *   <li>an error answer (status 400 or more) is read whole (up to {@link #MAX_ERROR_BODY} bytes), masked, and
 *       written at once with its length corrected;
 *   <li>an event stream is written event by event, each error event masked (an unfinished event waits for its
 *       end, so a cut never garbles the error event that ends the stream);
 *   <li>anything else chunk by chunk, as it arrives.
 * </ul>
 * The client's status and headers are set with its first bytes. Confined to the request's event loop. Idle time
 * and the deadline are read on the request's clock; the Vert.x timers only wake the checks.
 */
final class RawDelivery {

  /** An error answer is held whole to be masked; no provider's error is anywhere near this size. */
  static final int MAX_ERROR_BODY = 1024 * 1024;

  private final Vertx vertx;
  private final RequestContext ctx;
  private final UpstreamExchange exchange;
  private final RawReader reader;
  private final RelayObserver observer;
  private final Clock clock;
  private final Duration idle;
  private final Promise<Void> done = Promise.promise();
  /** The error answer read so far; null when the answer is not an error answer. */
  private final Buffer errorBody;
  /** Cuts an event stream into events; null when the answer is not one (or is an error answer). */
  private final SseEventSplitter events;
  /** The client's own key, when the backend was sent it: masked in error answers like a configured secret. */
  private final List<String> sentKeys;
  private Instant lastActivity;
  private long bytesOut;
  private long idleTimer = -1;
  private long deadlineTimer = -1;
  private boolean committed;
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
    this.errorBody = exchange.status() >= 400 ? Buffer.buffer() : null;
    this.events = errorBody == null && RawRelay.isEventStream(exchange) ? new SseEventSplitter() : null;
    this.sentKeys = RawRelay.sentClientKeys(ctx, exchange);
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
      if (errorBody != null) {
        hold(chunk);
      } else {
        write(events == null ? chunk : completeEvents(chunk));
      }
    });
    body.exceptionHandler(err -> fail("upstream connection broke: " + err.getMessage()));
    body.endHandler(v -> {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimers();
      Buffer last = errorBody != null ? RelayMasking.body(exchange.status(), errorBody, sentKeys)
          : events != null ? maskedEvent(events.remainder())  // an event the upstream never finished, as it came
          : Buffer.buffer();
      if (last.length() > 0) {
        reader.chunk(last);
      }
      reader.end();
      commitOnce(errorBody == null ? -1 : last.length());
      countOut(last);
      client.end(last).onComplete(ar -> finish(new RelayOutcome(ar.succeeded(),
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

  private void hold(Buffer chunk) {
    if (errorBody.length() + chunk.length() > MAX_ERROR_BODY) {
      finished = true;
      cancelTimers();
      exchange.release();
      String reason = "error answer over " + MAX_ERROR_BODY + " bytes";
      observer.ended(new RelayOutcome(false, reason, 0, 0, false));
      done.tryFail(ApiError.of(ErrorKind.UPSTREAM_FAILED, "Passthrough to backend \""
          + exchange.candidate().backend().name() + "\" failed: its " + reason + " was not relayed."));
      return;
    }
    errorBody.appendBuffer(chunk);
  }

  private void write(Buffer bytes) {
    if (bytes.length() == 0) {
      return;
    }
    reader.chunk(bytes);
    commitOnce(-1);
    countOut(bytes);
    ctx.response().write(bytes);
    if (ctx.response().writeQueueFull()) {
      pausedForClient = true;
      exchange.response().pause();
    }
  }

  /** The events this chunk completes, error events masked; the bytes of an unfinished event wait. */
  private Buffer completeEvents(Buffer chunk) {
    Buffer out = Buffer.buffer(chunk.length());
    events.feed(chunk, raw -> out.appendBuffer(maskedEvent(raw)));
    return out;
  }

  private Buffer maskedEvent(Buffer raw) {
    return raw.length() > 0 && ErrorEvents.reportsError(raw) ? RelayMasking.errorEvent(raw, sentKeys) : raw;
  }

  /** @param length the body's length when it is written whole (it may differ from the upstream's), else -1 */
  private void commitOnce(int length) {
    if (committed) {
      return;
    }
    committed = true;
    RawRelay.commit(ctx, exchange);
    if (length >= 0 && ctx.response().headers().contains("content-length")) {
      ctx.response().putHeader("content-length", String.valueOf(length));
    }
  }

  private void countOut(Buffer bytes) {
    ctx.addBytesOut(bytes.length());
    bytesOut += bytes.length();
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
    if (errorBody != null) {
      // Nothing was written: the client gets the proxy's own error in its protocol.
      observer.ended(outcome);
      boolean timeout = !reason.startsWith("upstream connection broke");
      done.tryFail(ApiError.of(timeout ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.UPSTREAM_FAILED, "Passthrough to"
          + " backend \"" + exchange.candidate().backend().name() + "\" failed: " + reason + "."));
      return;
    }
    commitOnce(-1);
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
