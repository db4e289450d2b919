package dev.llmproxy.ui;

import dev.llmproxy.capture.Capture;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /ui/api/live}: Server-Sent Events, one {@code request} event per captured request (the list-row
 * summary that capture publishes on the event bus once the record is in the store), so the Requests page shows a
 * request as soon as it can be opened. A client that reads too slowly is not buffered for: events are dropped
 * while its write queue is full, and a {@code gap} event tells it to reload the list. A comment line every
 * {@link #HEARTBEAT} keeps idle connections open through proxies and notices a logout or a key rotation, which
 * end the feed. At most {@value #MAX_FEEDS} feeds at once per process.
 */
final class LiveFeed {

  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  static final int MAX_FEEDS = 64;

  private final UiGate gate;
  private final AtomicInteger open = new AtomicInteger();

  LiveFeed(UiGate gate) {
    this.gate = gate;
  }

  void handle(RoutingContext rc, Vertx vertx) {
    if (!gate.admit(rc, true)) {
      return;
    }
    if (open.incrementAndGet() > MAX_FEEDS) {
      open.decrementAndGet();
      UiApi.fail(rc, ApiError.of(ErrorKind.UNAVAILABLE, "Too many live feeds open (" + MAX_FEEDS + "); close a tab.")
          .withHeaders(Map.of("Retry-After", "10")));
      return;
    }
    HttpServerResponse response = rc.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Accel-Buffering", "no");  // nginx in front: do not hold events back
    response.write("retry: 2000\n: live\n\n");
    boolean[] gap = {false};
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Capture.RECORDS_ADDRESS, message -> {
      if (response.writeQueueFull()) {
        gap[0] = true;
        return;
      }
      if (gap[0]) {
        gap[0] = false;
        response.write("event: gap\ndata: {}\n\n");
      }
      response.write(Buffer.buffer("event: request\ndata: ").appendBuffer(message.body().toBuffer())
          .appendString("\n\n"));
    });
    long heartbeat = vertx.setPeriodic(HEARTBEAT.toMillis(), id -> {
      if (!gate.stillAdmitted(rc)) {
        response.end();
      } else if (!response.writeQueueFull()) {
        response.write(": ping\n\n");
      }
    });
    Runnable close = new Runnable() {
      private boolean closed;

      @Override
      public void run() {
        if (!closed) {
          closed = true;
          vertx.cancelTimer(heartbeat);
          consumer.unregister();
          open.decrementAndGet();
        }
      }
    };
    response.closeHandler(v -> close.run());
    response.endHandler(v -> close.run());
  }

  int open() {
    return open.get();
  }
}
