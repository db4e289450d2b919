package dev.llmproxy.passthrough;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.streaming.ClientResponse;
import dev.llmproxy.upstream.HopByHopHeaders;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Relays a passed-through answer: status, headers and body bytes exactly as the backend sent them, with
 * backpressure (the backend is paused while the client's write queue is full). A backend that goes quiet for
 * {@code timeout.idle}, or an answer still running at the request deadline, is cut; the client then sees a
 * broken answer — an error event for an event stream, a reset connection otherwise — never a clean end.
 */
final class RawRelay {

  /** The proxy frames and identifies its own response; provider cookies mean nothing to the proxy's clients. */
  private static final Set<String> NOT_RELAYED = Set.of("x-trace-id", "set-cookie", "transfer-encoding");

  private final Vertx vertx;
  private final RequestContext ctx;
  private final UpstreamExchange exchange;
  private final List<RelayTap> taps;
  private final Duration idle;
  private final Promise<Void> done = Promise.promise();
  private long lastActivityNanos;
  private long idleTimer = -1;
  private long deadlineTimer = -1;
  private boolean pausedForClient;
  private boolean finished;

  private RawRelay(Vertx vertx, RequestContext ctx, UpstreamExchange exchange, List<RelayTap> taps, Duration idle) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.exchange = exchange;
    this.taps = taps;
    this.idle = idle;
  }

  /** Completes when the client response has ended, whatever the reason (the reason is on the request). */
  static Future<Void> relay(Vertx vertx, RequestContext ctx, UpstreamExchange exchange, List<RelayTap> taps,
      Duration idle, Duration remaining) {
    return new RawRelay(vertx, ctx, exchange, taps, idle).start(remaining);
  }

  private Future<Void> start(Duration remaining) {
    HttpServerResponse client = ctx.response();
    client.setStatusCode(exchange.status());
    MultiMap upstream = exchange.headers();
    for (Map.Entry<String, String> h : upstream) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(name) && !HopByHopHeaders.isHopByHop(name, upstream)) {
        client.headers().add(h.getKey(), h.getValue());
      }
    }
    client.putHeader(ClientResponse.BACKEND_HEADER, exchange.candidate().backend().name());
    if (!client.headers().contains("content-length")) {
      client.setChunked(true);
    }
    ctx.status(exchange.status());
    ctx.servedBy(exchange.candidate());
    HttpClientResponse body = exchange.response();
    client.drainHandler(v -> {
      pausedForClient = false;
      lastActivityNanos = System.nanoTime();
      if (!finished) {
        body.resume();
      }
    });
    body.handler(chunk -> {
      lastActivityNanos = System.nanoTime();
      if (finished) {
        return;
      }
      ctx.markFirstByte();
      ctx.addBytesOut(chunk.length());
      taps.forEach(t -> t.onChunk(chunk));
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
      taps.forEach(RelayTap::onEnd);
      client.end().onComplete(ar -> done.tryComplete());
    });
    ctx.onClientGone(() -> {
      if (!finished) {
        finished = true;
        cancelTimers();
        exchange.release();
        done.tryComplete();
      }
    });
    lastActivityNanos = System.nanoTime();
    scheduleIdleCheck(idle.toMillis());
    deadlineTimer = vertx.setTimer(Math.max(1, remaining.toMillis()),
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
    HttpServerResponse client = ctx.response();
    String type = String.valueOf(exchange.headers().get("content-type")).toLowerCase(Locale.ROOT);
    if (type.startsWith("text/event-stream") && client.isChunked()) {
      // An SSE client understands an error event; it must not mistake the cut for a finished answer.
      client.end(ErrorBodies.sseEvent(ctx.protocol(), ErrorKind.UPSTREAM_FAILED, "stream interrupted: " + reason))
          .onComplete(ar -> done.tryComplete());
    } else {
      client.reset();
      done.tryComplete();
    }
  }

  private void scheduleIdleCheck(long delayMillis) {
    idleTimer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      idleTimer = -1;
      if (finished) {
        return;
      }
      long quietMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
      if (pausedForClient || quietMillis < idle.toMillis()) {
        scheduleIdleCheck(pausedForClient ? idle.toMillis() : idle.toMillis() - quietMillis);
      } else {
        fail("upstream idle for " + quietMillis + " ms (timeout.idle)");
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
