package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Sees one request's answer as the relay delivers it: the extension point for capture (and today for token
 * usage). Called on the request's event loop, in this order: {@link #requestSent}, {@link #accepted}, then
 * {@link #body} once or {@link #event} per stream event, then {@link #ended} exactly once. Must not block and
 * must not write to the client; what it is handed must not be changed. A route's credentials are never in what
 * it sees (they are added on the way out, after the body is prepared).
 *
 * <p>Through translation (a route whose backend speaks the other protocol) the two sides differ: the body sent is
 * in the backend's protocol, the upstream side of {@link #body} and {@link #event} too, the client side in the
 * client's (a translated error may have another status than the one {@link #accepted} reports). For a demoted
 * answer (a stream asked for a client that wants one JSON answer) the upstream side of {@link #body} is the stream
 * reassembled into the backend protocol's JSON. The client's own request is {@code RequestContext.body()}.
 *
 * <p>Mid-stream recovery adds legs to a stream: when it breaks after content reached the client and the relay
 * continues it on another route, {@link #recovering} says so (which route broke, why, the text the client has);
 * each route that then accepts the continuation is announced with {@link #requestSent} (the continuation's body,
 * e.g. with the delivered text as an assistant prefill) and {@link #accepted}, and its events follow, each with the
 * bytes the client receives for it after the rewriting. Routes that refuse the continuation are not announced
 * (they are in the request's attempt trail). {@link RelayOutcome#legs} lists the routes that delivered.
 */
public interface RelayObserver {

  /** Opens the observer of one request; called when the relay starts. */
  @FunctionalInterface
  interface Factory {
    RelayObserver open(RequestContext ctx);
  }

  /**
   * The request as the route that answered received it.
   *
   * @param route null when no route answered (a provider's error returned after every route failed)
   * @param body the body after its preparation for that route; null when no route answered
   */
  default void requestSent(Candidate route, Buffer body) {}

  /** The status and headers of the accepted upstream answer, as the upstream sent them. */
  default void accepted(int status, MultiMap headers) {}

  /** A non-stream answer: as the upstream sent it, and as the client receives it. */
  default void body(Buffer upstream, Buffer toClient) {}

  /** One stream event: as the upstream sent it, and the bytes the client receives for it (maybe none). */
  default void event(SseEvent upstream, Buffer toClient) {}

  /** A stream broke after content reached the client; the relay is continuing it on the next route. */
  default void recovering(StreamBreak broke) {}

  /** How the delivery ended. */
  default void ended(RelayOutcome outcome) {}

  /** Observers called one after the other, in order. */
  static RelayObserver all(List<RelayObserver> observers) {
    if (observers.size() == 1) {
      return observers.get(0);
    }
    return new RelayObserver() {
      @Override
      public void requestSent(Candidate route, Buffer body) {
        observers.forEach(o -> o.requestSent(route, body));
      }

      @Override
      public void accepted(int status, MultiMap headers) {
        observers.forEach(o -> o.accepted(status, headers));
      }

      @Override
      public void body(Buffer upstream, Buffer toClient) {
        observers.forEach(o -> o.body(upstream, toClient));
      }

      @Override
      public void event(SseEvent upstream, Buffer toClient) {
        observers.forEach(o -> o.event(upstream, toClient));
      }

      @Override
      public void recovering(StreamBreak broke) {
        observers.forEach(o -> o.recovering(broke));
      }

      @Override
      public void ended(RelayOutcome outcome) {
        observers.forEach(o -> o.ended(outcome));
      }
    };
  }
}
