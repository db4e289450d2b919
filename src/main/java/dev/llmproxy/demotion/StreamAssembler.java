package dev.llmproxy.demotion;

import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.json.JsonObject;

/**
 * Rebuilds the non-stream answer from a stream's events, in the stream's own protocol. Feed every event in order;
 * then {@link #error()} is the provider's in-band error (answer it as an error), or {@link #complete()} says the
 * answer is whole and {@link #result()} is it. Single use, confined to one event loop.
 */
public interface StreamAssembler {

  static StreamAssembler of(Protocol protocol) {
    return protocol == Protocol.ANTHROPIC ? new AnthropicAssembler() : new OpenAiAssembler();
  }

  /**
   * The assembler for a stream of this endpoint: the Responses API's events make a response object (capture's
   * reassembled output of a {@code /v1/responses} stream); every other endpoint's, its protocol's body.
   */
  static StreamAssembler of(Endpoint endpoint) {
    return endpoint == Endpoint.RESPONSES ? new ResponsesAssembler() : of(endpoint.protocol());
  }

  /** One server-sent event: its {@code event:} name (or null) and its {@code data:} text (or null). */
  void onEvent(String event, String data);

  /** Whether the stream reached its protocol's end (or at least its finish), so {@link #result()} is whole. */
  boolean complete();

  /** The provider's error from inside the stream, or null. */
  JsonObject error();

  /** The answer as the provider's non-stream endpoint would have returned it. */
  JsonObject result();
}
