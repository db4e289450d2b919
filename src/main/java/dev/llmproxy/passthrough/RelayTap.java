package dev.llmproxy.passthrough;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * Sees a copy of the bytes relayed to the client (for token usage and metrics), never changes them. Runs on the
 * request's event loop: it must be quick and must not block.
 */
public interface RelayTap {

  void onChunk(Buffer chunk);

  /** The answer ended completely. */
  default void onEnd() {}

  /** Chooses a tap for an answer, by its content type; empty when it has nothing to read there. */
  @FunctionalInterface
  interface Factory {
    Optional<RelayTap> tap(RequestContext ctx, UpstreamExchange exchange);
  }
}
