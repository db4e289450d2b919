package dev.llmproxy.fallback;

import dev.llmproxy.detection.Verdict;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * What the attempt loop hands to the relay: an answer nothing of which has reached the client yet, and the lease
 * on the route that gave it. From here on the relay owns both and calls {@link #release} once it is done (any
 * further call is a no-op).
 */
public final class Accepted {

  /** The three shapes of an answer to relay. */
  public sealed interface Answer permits Whole, Stream, ProviderError {}

  /**
   * A non-stream answer, read whole and judged: the upstream's body, or one the proxy made for the route (a stream
   * reassembled for a client that wants one JSON answer, demotion; a token count estimated for a route whose
   * protocol has no such operation). {@code headers} are the upstream's, but for a made body's content type.
   *
   * @param exchange the upstream call it came from; null when the proxy answered for the route without one
   */
  public record Whole(UpstreamExchange exchange, int status, MultiMap headers, Buffer body) implements Answer {

    /** The upstream's own answer, as it came. */
    public Whole(UpstreamExchange exchange, Buffer body) {
      this(exchange, exchange.status(), exchange.headers(), body);
    }
  }

  /** A stream peeked to its first content; its held and further events wait for {@link SseStream#deliverTo}. */
  public record Stream(UpstreamExchange exchange, SseStream events) implements Answer {}

  /**
   * No route accepted, and a provider's own error is the answer (the prompt is too long everywhere and no alias
   * takes long prompts): returned unchanged, but for its shape when the client speaks another protocol. No route
   * served it and no lease is held.
   *
   * @param from the route that gave it, whose protocol it is in; null when it is the client's anyway
   */
  public record ProviderError(int status, MultiMap headers, Buffer body, Candidate from) implements Answer {

    /** An error in the client's own protocol. */
    public ProviderError(int status, MultiMap headers, Buffer body) {
      this(status, headers, body, null);
    }
  }

  private final Answer answer;
  private final Candidate route;
  private final Buffer sentBody;
  private final RouteLease lease;
  private final AttemptLoop loop;
  private final int retriesDone;

  Accepted(Answer answer, Buffer sentBody, RouteLease lease, AttemptLoop loop, int retriesDone) {
    this.answer = answer;
    this.route = lease == null ? null : lease.candidate();
    this.sentBody = sentBody;
    this.lease = lease;
    this.loop = loop;
    this.retriesDone = retriesDone;
  }

  static Accepted providerError(ProviderError error) {
    return new Accepted(error, null, null, null, 0);
  }

  public Answer answer() {
    return answer;
  }

  /** The route that gave the answer; null for a {@link ProviderError}. */
  public Candidate route() {
    return route;
  }

  /** The request body exactly as that route received it (after its preparation); null for a ProviderError. */
  public Buffer sentBody() {
    return sentBody;
  }

  /**
   * The answer broke after part of it reached the client. The break is judged like a failed attempt on this route
   * (retry policy, cooldown), and the same plan continues within the same budget and lease rules: the result is
   * the next accepted answer, or the final error. This object is spent either way. The seam for mid-stream
   * recovery: {@code continuation} is what the next routes receive instead of the client's body (e.g. the request
   * plus the text already delivered); each route's own preparation still applies to it. In the attempt trail the
   * break takes the place of this answer's "accepted" record.
   */
  public Future<Accepted> next(Verdict broke, int status, ClientBody continuation) {
    if (answer instanceof Stream stream) {
      stream.events().discard();
    }
    return loop.resume(lease, retriesDone, broke, status, continuation);
  }

  /** Gives back the route's backend slot and drops an unfinished upstream. Idempotent. */
  public void release() {
    if (answer instanceof Stream stream) {
      stream.events().discard();
    }
    if (lease != null) {
      lease.release();
    }
  }
}
