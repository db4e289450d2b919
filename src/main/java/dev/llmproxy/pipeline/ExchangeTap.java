package dev.llmproxy.pipeline;

import io.vertx.core.buffer.Buffer;

/**
 * Sees what a request's client is sent, for traffic capture. The relay calls it on the request's event loop, so
 * an implementation only keeps references (no parsing, no I/O); the default does nothing and costs nothing.
 */
public interface ExchangeTap {

  ExchangeTap NONE = new ExchangeTap() {};

  /** A whole (non-stream) answer about to be sent to the client. */
  default void responseBody(Buffer body) {}

  /** An upstream event stream starts being read; events of an earlier, rejected stream no longer count. */
  default void streamStarted() {}

  /** One well-formed event of the current stream, decoded ({@code name} and {@code data} may be null). */
  default void streamEvent(String name, String data) {}
}
