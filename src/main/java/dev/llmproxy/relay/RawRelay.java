package dev.llmproxy.relay;

import dev.llmproxy.pipeline.RelayStage;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.upstream.HopByHopHeaders;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The relay of the transparent mode: writes a passed-through answer — status, headers and body bytes exactly as
 * the backend sent them — with backpressure (the backend is paused while the client's write queue is full). A
 * backend that goes quiet for {@code timeout.idle}, or an answer still running at the request's deadline, is cut;
 * the client then sees a broken answer — an error event for an event stream, a reset connection otherwise — never
 * a clean end. The {@link RelayObserver}s see the answer through the first {@link RawReader} that can read it.
 * One per event loop.
 *
 * <p>Credentials are masked as the routed {@link Relay} masks them
 * ({@link dev.llmproxy.observability.RelayMasking}), before any observer sees the bytes: an error answer (status
 * 400 or more) is read whole, masked and sent with its length corrected; in an event stream, each error event is
 * masked ({@link dev.llmproxy.streaming.ErrorEvents}), every other event passes byte for byte. The key may be the
 * backend's ({@code credentials: backend}) or the client's own ({@code credentials: client}); both are masked
 * alike, because the same bytes reach the observers (token usage, capture) where no key may land, and the client
 * loses nothing it does not hold. Bedrock's binary eventstream is relayed unchanged (its frames are CRC-checked,
 * and SigV4 never sends a secret the provider could echo).
 *
 * <p>Status and headers are written with the first body bytes, not before: a bug before then leaves the
 * response clean for the pipeline's 500.
 */
public final class RawRelay implements RelayStage<UpstreamExchange> {

  /** The proxy frames and identifies its own response; provider cookies mean nothing to the proxy's clients. */
  private static final Set<String> NOT_RELAYED = Set.of("x-trace-id", "set-cookie", "transfer-encoding");

  /** An answer no reader can read (a file download, ...): the observers hear of its start and end only. */
  private static final RawReader NOTHING = bytes -> { };

  private final Vertx vertx;
  private final List<RelayObserver.Factory> observers;
  private final List<RawReader.Factory> readers;

  /**
   * @param observers opened for every request, called in this order (the same as the routed {@link Relay}'s)
   * @param readers tried in this order; the first that can read an answer's bytes feeds the observers
   */
  public RawRelay(Vertx vertx, List<RelayObserver.Factory> observers, List<RawReader.Factory> readers) {
    this.vertx = vertx;
    this.observers = List.copyOf(observers);
    this.readers = List.copyOf(readers);
  }

  @Override
  public String name() {
    return "raw-relay";
  }

  @Override
  public Future<Void> relay(RequestContext ctx, UpstreamExchange exchange) {
    if (ctx.clientGone()) {
      exchange.release();
      return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));  // nobody to tell
    }
    try {
      RelayObserver observer = RelayObserver.all(observers.stream().map(f -> f.open(ctx)).toList());
      observer.requestSent(exchange.candidate(), ctx.rawBody());
      observer.accepted(exchange.status(), exchange.headers());
      RawReader reader = readers.stream()
          .map(f -> f.open(exchange, observer))
          .flatMap(Optional::stream)
          .findFirst()
          .orElse(NOTHING);
      return new RawDelivery(vertx, ctx, exchange, reader, observer).start();
    } catch (RuntimeException bug) {
      exchange.release();  // a bug in the proxy's own code: the pipeline answers 500, nothing was written
      return Future.failedFuture(bug);
    }
  }

  /** The answer's status and headers on the client response, once its first bytes are about to be written. */
  static void commit(RequestContext ctx, UpstreamExchange exchange) {
    var client = ctx.response();
    client.setStatusCode(exchange.status());
    MultiMap upstream = exchange.headers();
    for (Map.Entry<String, String> h : upstream) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(name) && !HopByHopHeaders.isHopByHop(name, upstream)) {
        client.headers().add(h.getKey(), h.getValue());
      }
    }
    client.putHeader(ClientHeaders.BACKEND_HEADER, exchange.candidate().backend().name());
    if (!client.headers().contains("content-length")) {
      client.setChunked(true);
    }
    ctx.status(exchange.status());
    ctx.servedBy(exchange.candidate());
  }

  /**
   * The keys a passed-through request carried to its backend on the client's behalf ({@code credentials:
   * client}): the bearer token and the {@code x-api-key} value, masked in error answers like configured secrets.
   * Empty for a backend that holds its own key (that one is configured, hence masked anyway).
   */
  static List<String> sentClientKeys(RequestContext ctx, UpstreamExchange exchange) {
    if (!exchange.candidate().backend().forwardsClientKey()) {
      return List.of();
    }
    List<String> keys = new ArrayList<>(2);
    String authorization = ctx.request().getHeader("authorization");
    if (authorization != null) {
      keys.add(authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim()
          : authorization.trim());
    }
    String apiKey = ctx.request().getHeader("x-api-key");
    if (apiKey != null) {
      keys.add(apiKey.trim());
    }
    return keys;
  }

  /** Whether an answer of this content type can be cut with an error event rather than a reset connection. */
  static boolean isEventStream(UpstreamExchange exchange) {
    return RawReader.contentType(exchange).startsWith("text/event-stream");
  }
}
