package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.StreamEventKind;
import io.vertx.core.buffer.Buffer;

/**
 * Maps what the upstream sent to what the client receives: the extension point for protocol translation. One
 * instance per delivery (it may keep state across events). A route that speaks the client's protocol gets
 * {@link #IDENTITY}, which hands back the upstream's own bytes: a stream stays a byte copy, never re-encoded.
 *
 * <p>The relay judges the stream's end on the upstream events' kinds (their protocol); the end marker or error
 * event it adds itself is in the client's protocol.
 */
public interface EventTransformer {

  /** Chooses the transformer for one delivery; called once per accepted answer. */
  @FunctionalInterface
  interface Factory {
    EventTransformer forRoute(RequestContext ctx, Candidate route);
  }

  /** Same protocol on both sides: the upstream's bytes, untouched. */
  EventTransformer IDENTITY = new EventTransformer() {
    @Override
    public Buffer event(SseEvent upstream, StreamEventKind kind) {
      return upstream.raw();
    }

    @Override
    public Buffer body(Buffer upstream) {
      return upstream;
    }
  };

  /** Today's only factory: every route the plan offers speaks the client's protocol. */
  Factory SAME_PROTOCOL = (ctx, route) -> IDENTITY;

  /** The bytes to send the client for one upstream event: its own, others, several events, or none (empty). */
  Buffer event(SseEvent upstream, StreamEventKind kind);

  /** The body to send the client for a non-stream answer. */
  Buffer body(Buffer upstream);
}
