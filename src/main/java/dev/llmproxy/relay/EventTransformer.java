package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.StreamEventKind;
import io.vertx.core.MultiMap;
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

  /** Chooses the transformer for one delivery; called once per accepted answer (each leg of a stream its own). */
  @FunctionalInterface
  interface Factory {
    EventTransformer forRoute(RequestContext ctx, Candidate route);
  }

  /**
   * A non-stream answer: its status, headers (relayed but for framing and the proxy's own) and body. A translated
   * error may change the status (Anthropic's 529 is OpenAI's 503).
   */
  record NonStream(int status, MultiMap headers, Buffer body) {}

  /** Same protocol on both sides: the upstream's bytes, untouched. */
  EventTransformer IDENTITY = new EventTransformer() {
    @Override
    public Buffer event(SseEvent upstream, StreamEventKind kind) {
      return upstream.raw();
    }

    @Override
    public NonStream whole(NonStream upstream) {
      return upstream;
    }
  };

  /** The bytes to send the client for one upstream event: its own, others, several events, or none (empty). */
  Buffer event(SseEvent upstream, StreamEventKind kind);

  /** The answer to send the client for a non-stream upstream answer (a success or an error). */
  NonStream whole(NonStream upstream);

  /**
   * The upstream closed its stream after the answer's finish but without its end marker: the bytes that end the
   * client's stream properly. The client protocol's marker, by default; a translation adds what it still held
   * (e.g. the finish it was waiting to send with the usage).
   */
  default Buffer missingEnd(Protocol client) {
    return Buffer.buffer(client == Protocol.ANTHROPIC
        ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        : "data: [DONE]\n\n");
  }
}
