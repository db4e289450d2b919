package dev.llmproxy.relay;

import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a copy of a passed-through answer's bytes as what they carry — stream events or one body — and tells the
 * {@link RelayObserver}s, so token usage (and capture) see a passed-through answer as they see a routed one. It
 * never changes what the client receives; a reader that cannot make sense of the bytes stops reading, never the
 * relay. Runs on the request's event loop: quick, never blocking.
 */
public interface RawReader {

  /** The next bytes the client received. */
  void chunk(Buffer bytes);

  /** The answer ended completely. */
  default void end() {}

  /** Chooses a reader for one answer, by its content type (and backend); empty when it cannot read it. */
  @FunctionalInterface
  interface Factory {
    Optional<RawReader> open(UpstreamExchange exchange, RelayObserver observer);
  }

  /** A JSON answer larger than this is relayed without being read rather than buffering a copy. */
  int MAX_JSON_COPY = 1024 * 1024;

  /** Server-sent events: each one, as the upstream sent it (which is also what the client receives). */
  Factory SSE = (exchange, observer) -> {
    if (!contentType(exchange).startsWith("text/event-stream")) {
      return Optional.empty();
    }
    SseEventSplitter splitter = new SseEventSplitter();
    return Optional.of(bytes -> splitter.feed(bytes, raw -> observer.event(SseEvent.parse(raw), raw)));
  };

  /** A JSON answer, read whole at its end (up to {@link #MAX_JSON_COPY} bytes). */
  Factory JSON = (exchange, observer) -> {
    if (!contentType(exchange).startsWith("application/json")) {
      return Optional.empty();
    }
    Buffer copy = Buffer.buffer();
    return Optional.of(new RawReader() {
      private boolean tooLarge;

      @Override
      public void chunk(Buffer bytes) {
        tooLarge |= copy.length() + bytes.length() > MAX_JSON_COPY;
        if (!tooLarge) {
          copy.appendBuffer(bytes);
        }
      }

      @Override
      public void end() {
        if (!tooLarge) {
          observer.body(copy, copy);
        }
      }
    });
  };

  /** The answer's content type, lower case; "" when it has none. */
  static String contentType(UpstreamExchange exchange) {
    String type = exchange.headers().get("content-type");
    return type == null ? "" : type.toLowerCase(Locale.ROOT);
  }
}
