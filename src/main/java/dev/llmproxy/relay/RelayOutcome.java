package dev.llmproxy.relay;

import dev.llmproxy.routing.Candidate;
import java.util.List;

/**
 * How a delivery to the client ended.
 *
 * @param complete the client received a whole answer (a stream with its proper end marker)
 * @param failure why it did not complete; null when complete
 * @param bytesOut bytes written to the client
 * @param malformedDropped stream events dropped because they were not well-formed (never forwarded)
 * @param clientGone the client went away before the end
 * @param legs the routes whose answers the client received, in order: one, or more when a stream that broke was
 *     continued on other routes (mid-stream recovery); empty when no route answered
 */
public record RelayOutcome(boolean complete, String failure, long bytesOut, int malformedDropped, boolean clientGone,
    List<Candidate> legs) {

  public RelayOutcome {
    legs = List.copyOf(legs);
  }

  /** A delivery of one route's answer, or of none. */
  public RelayOutcome(boolean complete, String failure, long bytesOut, int malformedDropped, boolean clientGone) {
    this(complete, failure, bytesOut, malformedDropped, clientGone, List.of());
  }
}
