package dev.llmproxy.relay;

import dev.llmproxy.observability.RelayMasking;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * Delivers one accepted upstream stream to the client, whose status and headers are already set. Each network
 * chunk's events go out in one write; when the client's write queue is full the upstream is paused, and resumed on
 * drain. The stream always ends protocol-correctly: with the upstream's own end marker, a synthesized one when the
 * answer was finished but the marker missing, or an error event — never a clean end after a failure.
 * Confined to the request's event loop.
 */
final class StreamRelay implements SseStream.Sink {

  private final RequestContext ctx;
  private final SseStream source;
  private final EventTransformer transformer;
  private final RelayObserver observer;
  private final HttpServerResponse client;
  private final Protocol protocol;
  private final Promise<RelayOutcome> done = Promise.promise();
  private Buffer batch = Buffer.buffer();
  private long bytesOut;
  private boolean doneSeen;
  private boolean finishSeen;
  private boolean errorSent;
  private boolean over;
  /** The last event delivered: a Responses stream's own error event is numbered after it. */
  private SseEvent lastEvent;

  StreamRelay(RequestContext ctx, SseStream source, EventTransformer transformer, RelayObserver observer) {
    this.ctx = ctx;
    this.source = source;
    this.transformer = transformer;
    this.observer = observer;
    this.client = ctx.response();
    this.protocol = ctx.protocol();
  }

  /**
   * Completes when the client response has ended, whatever the upstream did. Fails only for a bug in the proxy's
   * own code (delivering, or handling an event): the upstream is dropped and the pipeline ends the stream.
   */
  Future<RelayOutcome> start(Duration idle) {
    client.setChunked(true);
    client.drainHandler(v -> source.resume());
    ctx.scope().cancelled().onSuccess(v -> clientGone());
    try {
      source.deliverTo(this, idle);
    } catch (RuntimeException bug) {
      failed(bug);
    }
    return done.future();
  }

  @Override
  public void event(SseEvent event, StreamEventKind kind) {
    if (over) {
      return;
    }
    switch (kind) {
      case DONE -> doneSeen = true;
      case FINISH -> finishSeen = true;
      case ERROR -> errorSent = true;
      default -> { }
    }
    SseEvent upstream = kind == StreamEventKind.ERROR ? RelayMasking.errorEvent(event) : event;
    lastEvent = upstream;
    Buffer out = transformer.event(upstream, kind);
    observer.event(upstream, out);
    write(out);
  }

  @Override
  public void flush() {
    if (over || batch.length() == 0) {
      return;
    }
    Buffer pending = batch;
    batch = Buffer.buffer();
    client.write(pending);
    if (client.writeQueueFull()) {
      source.pause();
    }
  }

  @Override
  public void ended() {
    if (doneSeen || errorSent) {
      end(doneSeen, doneSeen ? null : "upstream reported an error in the stream");
    } else if (finishSeen) {
      write(Buffer.buffer(protocol == Protocol.ANTHROPIC
          ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
          : "data: [DONE]\n\n"));
      end(true, null);
    } else {
      fail("upstream ended the stream before the answer was complete");
    }
  }

  @Override
  public void failed(Throwable cause) {
    if (doneSeen && cause instanceof UpstreamFailure) {
      end(true, null);  // after the protocol's end (a Responses stream has no sentinel to stop its reader): complete
      return;
    }
    if (cause instanceof UpstreamFailure) {
      fail(cause.getMessage());
      return;
    }
    // A bug in the proxy's own code: the pipeline answers it (an honest end for the client, logged with the trace
    // id); the route is not blamed.
    if (over) {
      return;
    }
    flush();
    over = true;
    source.discard();
    RelayOutcome outcome = new RelayOutcome(false, "internal proxy error", bytesOut, source.malformedDropped(), false);
    observer.ended(outcome);
    done.tryFail(cause);
  }

  private void fail(String reason) {
    write(StreamErrorEvent.of(ctx, lastEvent, ErrorKind.UPSTREAM_FAILED, "stream interrupted: " + reason));
    end(false, reason);
  }

  private void end(boolean complete, String failure) {
    if (over) {
      return;
    }
    flush();
    over = true;
    RelayOutcome outcome = new RelayOutcome(complete, failure, bytesOut, source.malformedDropped(), false);
    client.end().onComplete(ar -> finish(outcome));
  }

  private void clientGone() {
    if (over) {
      return;
    }
    over = true;
    source.discard();
    finish(new RelayOutcome(false, "client disconnected", bytesOut, source.malformedDropped(), true));
  }

  private void finish(RelayOutcome outcome) {
    if (done.tryComplete(outcome)) {
      observer.ended(outcome);
    }
  }

  private void write(Buffer bytes) {
    if (over || bytes.length() == 0) {
      return;
    }
    if (bytesOut == 0) {
      ctx.markFirstByte();
    }
    bytesOut += bytes.length();
    batch.appendBuffer(bytes);
  }
}
