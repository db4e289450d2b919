package dev.llmproxy.relay;

/**
 * How a delivery to the client ended.
 *
 * @param complete the client received a whole answer (a stream with its proper end marker)
 * @param failure why it did not complete; null when complete
 * @param bytesOut bytes written to the client
 * @param malformedDropped stream events dropped because they were not well-formed (never forwarded)
 * @param clientGone the client went away before the end
 */
public record RelayOutcome(boolean complete, String failure, long bytesOut, int malformedDropped, boolean clientGone) {}
