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
      commit(ctx, exchange);
      observer.accepted(exchange.status(), exchange.headers());
      RawReader reader = readers.stream()
          .map(f -> f.open(exchange, observer))
          .flatMap(Optional::stream)
          .findFirst()
          .orElse(NOTHING);
      return new RawDelivery(vertx, ctx, exchange, reader, observer).start();
    } catch (RuntimeException bug) {
      exchange.release();  // a bug in the proxy's own code: answered 500 before anything was written
      return Future.failedFuture(bug);
    }
  }

  private static void commit(RequestContext ctx, UpstreamExchange exchange) {
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

  /** Whether an answer of this content type can be cut with an error event rather than a reset connection. */
  static boolean isEventStream(UpstreamExchange exchange) {
    return RawReader.contentType(exchange).startsWith("text/event-stream");
  }
}
