package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.streaming.ResponsesEvents;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;

/**
 * The error event the relay ends a stream with when it cannot end it cleanly, in the shape the client's endpoint
 * streams: a Responses API stream gets {@code event: error} numbered after the last event the client received;
 * other OpenAI streams a {@code data:} chunk with an {@code error} object; Anthropic streams {@code event: error}.
 */
final class StreamErrorEvent {

  private StreamErrorEvent() {}

  /** @param lastEvent the last upstream event delivered to the client, or null when none was */
  static Buffer of(RequestContext ctx, SseEvent lastEvent, ErrorKind kind, String message) {
    if (ctx.endpoint() == Endpoint.RESPONSES) {
      return ErrorBodies.responsesSseEvent(kind, message, ResponsesEvents.sequenceNumber(lastEvent) + 1);
    }
    return ErrorBodies.sseEvent(ctx.protocol(), kind, message);
  }
}
