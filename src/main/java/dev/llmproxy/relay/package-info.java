/**
 * Relaying answers to the client: the only writers of upstream answers. {@link dev.llmproxy.relay.Relay}
 * commits an accepted routed answer's status and headers, then a body or a stream (event by event, with
 * backpressure, always ended protocol-correctly; a stream that breaks mid-answer is continued on the next route
 * when {@link dev.llmproxy.recovery.MidstreamRecovery} allows it), and releases the answer's route when the
 * response has ended.
 * {@link dev.llmproxy.relay.RawRelay} relays a passed-through answer (the transparent mode) byte for byte, cut
 * honestly on idle or deadline. Extension points: {@link dev.llmproxy.relay.EventTransformer} (translation, by
 * {@code bridge}; identity, a byte copy, for a route that speaks the client's protocol) and {@link dev.llmproxy.relay.RelayObserver}
 * (capture; token usage today), which sees passed-through answers too, through a {@link dev.llmproxy.relay.RawReader}
 * (events, a JSON body, or Bedrock's eventstream decoded).
 */
package dev.llmproxy.relay;
