package dev.llmproxy.streaming;

import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream event stream, in two phases.
 *
 * <p><b>Peek</b>: events are read and held until the first one that decides the attempt — content, an error, or
 * the end — or until {@code first_token_timeout}. Nothing has reached the client, so the caller can still drop
 * this stream and try another backend.
 *
 * <p><b>Relay</b>: the held events, then every further event, are written to the client as their original
 * bytes. The upstream is paused while the client's write queue is full. Malformed events are dropped. The stream
 * always ends protocol-correctly: with the upstream's own end marker, a synthesized one when the answer was
 * finished but the marker missing, or an error event — never a clean end after a failure.
 *
 * <p>Confined to the request's event loop.
 */
public final class SseStream {

  /** How the peek ended. {@code decisive} is null when the upstream ended before any decisive event. */
  public record Peek(StreamEventKind decisive, SseEvent event) {}

  /**
   * How the relay ended.
   *
   * @param complete the client received a whole answer with a proper end marker
   * @param failure why the stream did not complete (null when complete)
   */
  public record Outcome(boolean complete, String failure, int malformedDropped, long bytesOut, boolean clientGone) {}

  private enum Phase { PEEKING, HOLDING, RELAYING, FINISHED }

  /** Held bytes during the peek are bounded; a stream that says nothing decisive for this long is committed. */
  static final int MAX_HELD_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final UpstreamExchange upstream;
  private final Protocol protocol;
  private final SseEventSplitter splitter = new SseEventSplitter();
  private final List<Buffer> held = new ArrayList<>();

  private Phase phase = Phase.PEEKING;
  private int heldBytes;
  private long timer = -1;
  private long lastActivityNanos;
  /** Collects the events of one incoming network chunk, so they go to the client in one write and flush. */
  private Buffer batch;
  /** The upstream is paused because the client's write queue is full: its silence then is not idleness. */
  private boolean pausedForClient;
  private Promise<Peek> peek;
  private Promise<Outcome> relay;
  private HttpServerResponse client;
  private Duration idle;
  private boolean upstreamEnded;
  private UpstreamFailure upstreamFailure;
  private boolean doneSeen;
  private boolean finishSeen;
  private boolean errorRelayed;
  private boolean heldError;
  private int malformed;
  private long bytesOut;
  private Runnable onFirstByte = () -> {};
  private java.util.function.Consumer<SseEvent> eventObserver = e -> {};
  private java.util.function.UnaryOperator<Buffer> errorEventFilter = java.util.function.UnaryOperator.identity();

  public SseStream(Vertx vertx, UpstreamExchange upstream, Protocol protocol) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.protocol = protocol;
  }

  public Future<Peek> peek(Duration firstTokenTimeout) {
    peek = Promise.promise();
    HttpClientResponse response = upstream.response();
    response.handler(this::onChunk);
    response.exceptionHandler(err -> onUpstreamFailure(UpstreamFailure.from(err)));
    response.endHandler(v -> onUpstreamEnd());
    armTimer(firstTokenTimeout, UpstreamFailure.Kind.FIRST_TOKEN_TIMEOUT);
    response.resume();
    return peek.future();
  }

  /** Sees every well-formed event, held or relayed, in order (observability reads token usage from them). */
  public void observeEvents(java.util.function.Consumer<SseEvent> observer) {
    this.eventObserver = observer;
  }

  /** Rewrites the upstream's error events before the client gets them (the caller masks quoted credentials). */
  public void filterErrorEvents(java.util.function.UnaryOperator<Buffer> filter) {
    this.errorEventFilter = filter;
  }

  /**
   * Starts writing to the client, whose status and headers the caller has set. Completes when the client
   * response has ended, whatever the reason.
   */
  public Future<Outcome> relay(HttpServerResponse client, Duration idle, Runnable onFirstByte) {
    if (phase == Phase.FINISHED) {
      return Future.succeededFuture(new Outcome(false, "client disconnected", malformed, 0, true));
    }
    this.client = client;
    this.idle = idle;
    this.onFirstByte = onFirstByte;
    this.relay = Promise.promise();
    phase = Phase.RELAYING;
    client.setChunked(true);
    client.drainHandler(v -> {
      pausedForClient = false;
      lastActivityNanos = System.nanoTime();
      if (phase == Phase.RELAYING && !upstreamEnded) {
        upstream.response().resume();
      }
    });
    batch = Buffer.buffer();
    for (Buffer event : held) {
      write(event);
    }
    held.clear();
    flushBatch();
    errorRelayed = heldError;
    if (upstreamFailure != null) {
      failToClient(upstreamFailure.getMessage());
    } else if (upstreamEnded) {
      finishToClient();
    } else {
      lastActivityNanos = System.nanoTime();
      scheduleIdleCheck(idle.toMillis());
      if (!client.writeQueueFull()) {
        upstream.response().resume();
      }
    }
    return relay.future();
  }

  /**
   * The client went away: stop the backend from generating for nobody, and complete whichever future the caller
   * waits on, so the request ends (and releases what it holds) whatever phase it was in.
   */
  public void clientGone() {
    if (phase == Phase.FINISHED) {
      return;
    }
    phase = Phase.FINISHED;
    cancelTimer();
    upstream.release();
    if (peek != null) {
      peek.tryFail(new UpstreamFailure(UpstreamFailure.Kind.RESET, "client disconnected"));
    }
    if (relay != null) {
      relay.tryComplete(new Outcome(false, "client disconnected", malformed, bytesOut, true));
    }
  }

  /** Drops a peeked stream that will not be used. */
  public void discard() {
    phase = Phase.FINISHED;
    cancelTimer();
    upstream.release();
  }

  private void onChunk(Buffer chunk) {
    lastActivityNanos = System.nanoTime();
    if (phase == Phase.RELAYING) {
      batch = Buffer.buffer(chunk.length() + 32);
    }
    splitter.feed(chunk, this::onEvent);
    flushBatch();
  }

  private void onEvent(Buffer raw) {
    if (phase == Phase.FINISHED) {
      return;
    }
    SseEvent event = SseEvent.parse(raw);
    StreamEventKind kind = StreamEvents.classify(protocol, event);
    switch (kind) {
      case MALFORMED -> {
        malformed++;
        return;
      }
      case DONE -> doneSeen = true;
      case FINISH -> finishSeen = true;
      default -> { }
    }
    eventObserver.accept(event);
    if (phase == Phase.PEEKING) {
      held.add(kind == StreamEventKind.ERROR ? errorEventFilter.apply(raw) : raw);
      if (kind == StreamEventKind.ERROR) {
        // Held too: if the caller passes this error through, the client gets the provider's own event.
        heldError = true;
        decide(kind, event);
        return;
      }
      heldBytes += raw.length();
      if (kind != StreamEventKind.META || heldBytes > MAX_HELD_BYTES) {
        decide(kind == StreamEventKind.META ? StreamEventKind.CONTENT : kind, event);
      }
    } else if (phase == Phase.HOLDING) {
      held.add(raw);
    } else if (phase == Phase.RELAYING) {
      if (kind == StreamEventKind.ERROR) {
        errorRelayed = true;
      }
      write(kind == StreamEventKind.ERROR ? errorEventFilter.apply(raw) : raw);
    }
  }

  private void decide(StreamEventKind kind, SseEvent event) {
    phase = Phase.HOLDING;
    cancelTimer();
    upstream.response().pause();
    peek.tryComplete(new Peek(kind, event));
  }

  private void onUpstreamEnd() {
    Buffer tail = splitter.remainder();
    if (tail.length() > 0 && !tail.toString().isBlank()) {
      // Sloppy servers omit the final blank line; complete the event so its content is not lost.
      onEvent(tail.copy().appendString("\n\n"));
    }
    upstreamEnded = true;
    cancelTimer();
    switch (phase) {
      case PEEKING -> {
        phase = Phase.HOLDING;
        peek.tryComplete(new Peek(null, null));
      }
      case RELAYING -> finishToClient();
      default -> { }
    }
  }

  private void onUpstreamFailure(UpstreamFailure failure) {
    cancelTimer();
    // Each branch leaves its phase before releasing: a release resets the connection, which re-enters here.
    switch (phase) {
      case PEEKING -> {
        phase = Phase.FINISHED;
        upstream.release();
        peek.tryFail(failure);
      }
      case HOLDING -> {
        if (upstreamFailure == null) {
          upstreamFailure = failure;
        }
      }
      case RELAYING -> {
        failToClient(failure.getMessage());
        upstream.release();
      }
      default -> { }
    }
  }

  private void finishToClient() {
    if (doneSeen || errorRelayed) {
      end(doneSeen, doneSeen ? null : "upstream reported an error in the stream");
    } else if (finishSeen) {
      write(Buffer.buffer(protocol == Protocol.ANTHROPIC
          ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
          : "data: [DONE]\n\n"));
      end(true, null);
    } else {
      failToClient("upstream ended the stream before the answer was complete");
    }
  }

  private void failToClient(String reason) {
    write(ErrorBodies.sseEvent(protocol, ErrorKind.UPSTREAM_FAILED, "stream interrupted: " + reason));
    end(false, reason);
  }

  private void end(boolean complete, String failure) {
    if (phase == Phase.FINISHED) {
      return;
    }
    phase = Phase.FINISHED;
    cancelTimer();
    client.end().onComplete(ar -> relay.tryComplete(new Outcome(complete, failure, malformed, bytesOut, false)));
  }

  private void write(Buffer bytes) {
    if (bytesOut == 0) {
      onFirstByte.run();
    }
    bytesOut += bytes.length();
    if (batch != null) {
      batch.appendBuffer(bytes);
    } else {
      send(bytes);
    }
  }

  private void flushBatch() {
    Buffer pending = batch;
    batch = null;
    if (pending != null && pending.length() > 0 && phase != Phase.FINISHED) {
      send(pending);
    }
  }

  private void send(Buffer bytes) {
    client.write(bytes);
    if (client.writeQueueFull() && !upstreamEnded) {
      pausedForClient = true;
      upstream.response().pause();
    }
  }

  /**
   * One timer for the whole relay instead of one per chunk: when it fires it checks how long the upstream has
   * really been quiet, and re-arms for the rest of the window if it was not quiet long enough.
   */
  private void scheduleIdleCheck(long delayMillis) {
    timer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      timer = -1;
      if (phase != Phase.RELAYING) {
        return;
      }
      long quietMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
      if (pausedForClient || quietMillis < idle.toMillis()) {
        scheduleIdleCheck(pausedForClient ? idle.toMillis() : idle.toMillis() - quietMillis);
      } else {
        onUpstreamFailure(new UpstreamFailure(UpstreamFailure.Kind.IDLE_TIMEOUT, "nothing for " + quietMillis + " ms"));
      }
    });
  }

  private void armTimer(Duration after, UpstreamFailure.Kind kind) {
    cancelTimer();
    timer = vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      timer = -1;
      onUpstreamFailure(new UpstreamFailure(kind, "nothing for " + after.toMillis() + " ms"));
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
