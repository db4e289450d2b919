/**
 * Relaying accepted answers to the client: the only writer of upstream answers. {@link dev.llmproxy.relay.Relay}
 * commits status and headers, then a body or a stream (event by event, with backpressure, always ended
 * protocol-correctly), and releases the answer's route when the response has ended. Extension points:
 * {@link dev.llmproxy.relay.EventTransformer} (translation; identity, a byte copy, for a route that speaks the
 * client's protocol) and {@link dev.llmproxy.relay.RelayObserver} (capture; token usage today).
 */
package dev.llmproxy.relay;
