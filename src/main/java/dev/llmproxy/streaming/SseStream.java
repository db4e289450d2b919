package dev.llmproxy.streaming;

import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.upstream.UpstreamExchange;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream event stream, read in two phases. It never writes to the client: whoever delivers the events
 * (the relay) is its {@link Sink}.
 *
 * <p><b>Peek</b>: events are read and held until the first one that decides the attempt — content, an error, or
 * the end — or until {@code first_token_timeout}. Nothing has reached the client, so the caller can still
 * {@link #discard} this stream and try another backend.
 *
 * <p><b>Deliver</b>: the held events, then every further event, go to the sink in order, each with its original
 * bytes and its kind; malformed events are dropped and counted. The sink paces the upstream with
 * {@link #pause}/{@link #resume} (a paused upstream is not idle), and hears exactly once how the upstream
 * ended: {@link Sink#ended} or {@link Sink#failed} (reset, {@code timeout.idle}, or a bug while handling an event).
 *
 * <p>Confined to the request's event loop. Time is read on the injected clock; the idle timer fires in real time.
 */
public final class SseStream {

  /** How the peek ended. {@code decisive} is null when the upstream ended before any decisive event. */
  public record Peek(StreamEventKind decisive, SseEvent event) {}

  /** Receives a delivered stream. Called on the request's event loop. */
  public interface Sink {

    /** One well-formed event, in upstream order (held ones first). */
    void event(SseEvent event, StreamEventKind kind);

    /** Every event of one network chunk has been handed over: the moment to write them out together. */
    void flush();

    /** The upstream ended its response normally (whether the answer was complete is the sink's to judge). */
    void ended();

    /** The upstream broke: an {@link UpstreamFailure}, or any other exception for a bug in the proxy's own code. */
    void failed(Throwable cause);
  }

  private record Held(SseEvent event, StreamEventKind kind) {}

  private enum Phase { PEEKING, HOLDING, DELIVERING, FINISHED }

  /**
   * Held bytes during the peek are bounded; a stream that says nothing decisive for this long is committed. A
   * Responses API stream opens with two events that each repeat the request's instructions and tools (tens of KiB
   * for a coding agent with MCP tools), so the bound leaves room for them: a failure right after them must still
   * fall back.
   */
  static final int MAX_HELD_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final Clock clock;
  private final UpstreamExchange upstream;
  private final Protocol protocol;
  private final SseEventSplitter splitter = new SseEventSplitter();
  private final List<Held> held = new ArrayList<>();

  private Phase phase = Phase.PEEKING;
  private int heldBytes;
  private long timer = -1;
  private long lastActivityMillis;
  /** The sink cannot take more: the upstream's silence meanwhile is not idleness. */
  private boolean paused;
  private Promise<Peek> peek;
  private Sink sink;
  private Duration idle;
  private boolean upstreamEnded;
  private Throwable upstreamFailure;
  private int malformed;

  /** @param protocol the protocol the upstream speaks, which decides what its events mean */
  public SseStream(Vertx vertx, Clock clock, UpstreamExchange upstream, Protocol protocol) {
    this.vertx = vertx;
    this.clock = clock;
    this.upstream = upstream;
    this.protocol = protocol;
  }

  public UpstreamExchange exchange() {
    return upstream;
  }

  public Future<Peek> peek(Duration firstTokenTimeout) {
    peek = Promise.promise();
    HttpClientResponse response = upstream.response();
    response.handler(this::onChunk);
    response.exceptionHandler(err -> onUpstreamFailure(UpstreamFailure.from(err)));
    response.endHandler(v -> guarded(this::onUpstreamEnd));
    armFirstTokenTimer(firstTokenTimeout);
    response.resume();
    return peek.future();
  }

  /**
   * Starts delivering to {@code sink}: the held events at once, then the live ones. {@code idle} bounds the
   * upstream's silence from now on.
   */
  public void deliverTo(Sink sink, Duration idle) {
    this.sink = sink;
    this.idle = idle;
    if (phase == Phase.FINISHED) {
      sink.failed(new UpstreamFailure(TransportFailure.RESET, "the stream was discarded"));
      return;
    }
    phase = Phase.DELIVERING;
    for (Held h : held) {
      sink.event(h.event(), h.kind());
    }
    held.clear();
    sink.flush();
    if (phase != Phase.DELIVERING) {
      return;  // the sink let go while taking the held events (client gone)
    }
    if (upstreamFailure != null) {
      finish().failed(upstreamFailure);
    } else if (upstreamEnded) {
      finish().ended();
    } else {
      lastActivityMillis = clock.millis();
      scheduleIdleCheck(idle.toMillis());
      if (!paused) {
        upstream.response().resume();
      }
    }
  }

  /** The sink cannot take more for now (the client's write queue is full). */
  public void pause() {
    paused = true;
    if (phase != Phase.FINISHED && !upstreamEnded) {
      upstream.response().pause();
    }
  }

  /** The sink can take more again. */
  public void resume() {
    paused = false;
    lastActivityMillis = clock.millis();
    if (phase == Phase.DELIVERING && !upstreamEnded) {
      upstream.response().resume();
    }
  }

  /**
   * Drops the stream: the upstream connection is reset so the backend stops generating, a pending peek fails,
   * and nothing more reaches the sink. For a stream that will not be used, or whose client went away.
   * Idempotent, and a no-op once the stream has ended.
   */
  public void discard() {
    if (phase == Phase.FINISHED) {
      return;
    }
    phase = Phase.FINISHED;
    cancelTimer();
    upstream.release();
    if (peek != null) {
      peek.tryFail(new UpstreamFailure(TransportFailure.RESET, "discarded"));
    }
  }

  /** Malformed events dropped so far (never forwarded). */
  public int malformedDropped() {
    return malformed;
  }

  private void onChunk(Buffer chunk) {
    guarded(() -> {
      lastActivityMillis = clock.millis();
      splitter.feed(chunk, this::onEvent);
      if (phase == Phase.DELIVERING) {
        sink.flush();
      }
    });
  }

  private void onEvent(Buffer raw) {
    if (phase == Phase.FINISHED) {
      return;
    }
    SseEvent event = SseEvent.parse(raw);
    StreamEventKind kind = StreamEvents.classify(protocol, event);
    if (kind == StreamEventKind.MALFORMED) {
      malformed++;
      return;
    }
    switch (phase) {
      case PEEKING -> {
        held.add(new Held(event, kind));
        heldBytes += raw.length();
        if (kind == StreamEventKind.ERROR) {
          // Held too: if the caller passes this error through, the client gets the provider's own event.
          decide(kind, event);
        } else if (kind != StreamEventKind.META || heldBytes > MAX_HELD_BYTES) {
          decide(kind == StreamEventKind.META ? StreamEventKind.CONTENT : kind, event);
        }
      }
      case HOLDING -> held.add(new Held(event, kind));
      case DELIVERING -> sink.event(event, kind);
      default -> { }
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
      case DELIVERING -> {
        sink.flush();
        finish().ended();
      }
      default -> { }
    }
  }

  private void onUpstreamFailure(Throwable failure) {
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
      case DELIVERING -> {
        Sink told = finish();
        upstream.release();
        told.failed(failure);
      }
      default -> { }
    }
  }

  /** Leaves the delivering phase for good; returns the sink to tell how it ended. */
  private Sink finish() {
    phase = Phase.FINISHED;
    cancelTimer();
    return sink;
  }

  /**
   * A bug in the proxy's own event handling (a classifier, the sink) must not leave the request hanging until a
   * timeout, nor pass for a backend failure: it ends the stream at once with that exception as the cause.
   */
  private void guarded(Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException bug) {
      onUpstreamFailure(bug);
    }
  }

  /**
   * One timer for the whole delivery instead of one per chunk: when it fires it checks how long the upstream has
   * really been quiet, and re-arms for the rest of the window if it was not quiet long enough.
   */
  private void scheduleIdleCheck(long delayMillis) {
    timer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      timer = -1;
      if (phase != Phase.DELIVERING) {
        return;
      }
      long quietMillis = clock.millis() - lastActivityMillis;
      if (paused || quietMillis < idle.toMillis()) {
        scheduleIdleCheck(paused ? idle.toMillis() : idle.toMillis() - quietMillis);
      } else {
        onUpstreamFailure(new UpstreamFailure(TransportFailure.IDLE_TIMEOUT, "nothing for " + quietMillis + " ms"));
      }
    });
  }

  private void armFirstTokenTimer(Duration after) {
    cancelTimer();
    timer = vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      timer = -1;
      String quiet = "nothing for " + after.toMillis() + " ms";
      onUpstreamFailure(new UpstreamFailure(TransportFailure.FIRST_TOKEN_TIMEOUT, quiet));
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
