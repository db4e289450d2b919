package dev.llmproxy.relay;

import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.FailureClassifier;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.fallback.Accepted;
import dev.llmproxy.fallback.ClientBody;
import dev.llmproxy.observability.RelayMasking;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.StreamRecovery.Outcome;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.recovery.MidstreamRecovery;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseStream;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Delivers one accepted upstream stream to the client, whose status and headers are already set, and owns that
 * answer (and its route's lease) until the client response has ended. Each network chunk's events go out in one
 * write; when the client's write queue is full the upstream is paused, and resumed on drain. The stream always
 * ends protocol-correctly: with the upstream's own end marker, a synthesized one when the answer was finished but
 * the marker missing, or an error event — never a clean end after a failure.
 *
 * <p>The source is switchable (mid-stream recovery): when the stream breaks after content reached the client —
 * a reset, {@code timeout.idle}, an error event, an end before the finish — and {@link MidstreamRecovery} says it
 * can go on, the broken answer is judged like a failed attempt and the same plan continues
 * ({@link Accepted#next}) with the continuation's body. The client's stream stays open meanwhile; the next
 * accepted stream becomes the source, its events rewritten into the client's stream. A route that answers the
 * continuation with anything but a stream (e.g. a 400 for the prefill) refused it: the walk goes on, and if no
 * route continues the answer the client gets the original break, never the refusal.
 *
 * <p>An upstream error event is masked ({@link RelayMasking}) before anything else sees it: the classifier, the
 * transformer, the observers, the client. An error event of the relay's own is in the shape of the client's
 * endpoint ({@link StreamErrorEvent}: a Responses stream's is numbered after the last event delivered). A
 * transport break after the protocol's end (a Responses stream has no sentinel that stops its reader) leaves the
 * answer complete. A bug in the proxy's own code is not answered here: the relay releases what it holds and fails
 * its future, and the pipeline's guard ends the stream. Confined to the request's event loop.
 */
final class StreamRelay {

  private final RequestContext ctx;
  private final EventTransformer.Factory transformers;
  private final RelayObserver observer;
  private final HttpServerResponse client;
  private final Protocol protocol;
  private final MidstreamRecovery recovery;
  private final List<Candidate> legs = new ArrayList<>();
  private final Promise<RelayOutcome> done = Promise.promise();
  /** The answer being delivered; null while a continuation is sought. Released when the delivery ends. */
  private Accepted current;
  private Leg leg;
  /** The break being recovered from, or that ended the stream. */
  private Break lastBreak;
  private Duration idle;
  /**
   * What one network chunk's events give the client, written at once by {@link #flush}: the one event's own bytes
   * when the chunk held one (the usual case, no copy), else their concatenation. Null when empty.
   */
  private Buffer batch;
  private boolean batchIsCopy;
  private long bytesOut;
  private int malformedEarlier;
  private boolean over;
  /** The last upstream event delivered: a Responses stream's own error event is numbered after it. */
  private SseEvent lastEvent;

  StreamRelay(RequestContext ctx, Accepted accepted, EventTransformer.Factory transformers, RelayObserver observer) {
    this.ctx = ctx;
    this.current = accepted;
    this.transformers = transformers;
    this.observer = observer;
    this.client = ctx.response();
    this.protocol = ctx.protocol();
    this.recovery = MidstreamRecovery.open(ctx, accepted.route());
  }

  /**
   * Completes when the client response has ended, whatever the upstreams did. Fails only for a bug in the proxy's
   * own code (delivering, handling an event, continuing): every upstream is dropped, the answer held released, and
   * the pipeline ends the stream.
   */
  Future<RelayOutcome> start(Duration idle) {
    this.idle = idle;
    client.setChunked(true);
    client.drainHandler(v -> {
      if (leg != null) {
        leg.source.resume();
      }
    });
    ctx.scope().cancelled().onSuccess(v -> clientGone());
    deliver(current);
    return done.future();
  }

  /** Makes {@code accepted}'s stream the source. */
  private void deliver(Accepted accepted) {
    current = accepted;
    SseStream source = ((Accepted.Stream) accepted.answer()).events();
    leg = new Leg(source, transformers.forRoute(ctx, accepted.route()), accepted.route());
    legs.add(accepted.route());
    if (client.writeQueueFull()) {
      source.pause();
    }
    try {
      source.deliverTo(leg, idle);
    } catch (RuntimeException bug) {
      failedByBug(bug);
    }
  }

  /**
   * A break of the source: why, and when it was the provider's own error event, that event and the bytes the client
   * receives for it (which end the stream if it is not continued); else both null.
   */
  private record Break(String reason, SseEvent upstreamError, Buffer clientError) {}

  /**
   * One accepted upstream stream, delivered while it is the source; a stale leg's calls are ignored. Each call
   * catches a bug of its own handling: once the source may have switched, the stream's own guard would report it
   * to a stale leg.
   */
  private final class Leg implements SseStream.Sink {

    private final SseStream source;
    private final EventTransformer transformer;
    private final Candidate route;
    private boolean doneSeen;
    private boolean finishSeen;
    private boolean errorSent;

    Leg(SseStream source, EventTransformer transformer, Candidate route) {
      this.source = source;
      this.transformer = transformer;
      this.route = route;
    }

    private boolean live() {
      return !over && leg == this;
    }

    @Override
    public void event(SseEvent event, StreamEventKind kind) {
      if (live()) {
        guarded(() -> onEvent(event, kind));
      }
    }

    private void onEvent(SseEvent event, StreamEventKind kind) {
      // Masked before anything sees it: a provider may quote the key it was sent.
      SseEvent upstream = kind == StreamEventKind.ERROR ? RelayMasking.errorEvent(event) : event;
      if (kind == StreamEventKind.ERROR && recovery.midAnswer()) {
        Verdict verdict = FailureClassifier.streamError(upstream.data());
        if (!verdict.accepted()) {
          broke(verdict, new Break(verdict.reason(), upstream, transformer.event(upstream, kind)));
          return;
        }
      }
      switch (kind) {
        case DONE -> doneSeen = true;
        case FINISH -> finishSeen = true;
        case ERROR -> errorSent = true;
        default -> { }
      }
      Buffer out = recovery.deliver(upstream, transformer.event(upstream, kind));
      if (recovery.joinFailure() != null) {
        cannotJoin(this);
        return;
      }
      lastEvent = upstream;
      observer.event(upstream, out);
      write(out);
    }

    @Override
    public void flush() {
      if (live()) {
        StreamRelay.this.flush();
      }
    }

    @Override
    public void ended() {
      if (live()) {
        guarded(this::onEnd);
      }
    }

    private void onEnd() {
      if (doneSeen || errorSent) {
        end(doneSeen, doneSeen ? null : "upstream reported an error in the stream");
      } else if (finishSeen) {
        write(transformer.missingEnd(protocol));
        end(true, null);
      } else {
        String reason = "upstream ended the stream before the answer was complete";
        broke(Verdict.fail(FailureClass.TRANSIENT, reason), new Break(reason, null, null));
      }
    }

    @Override
    public void failed(Throwable cause) {
      if (live()) {
        guarded(() -> onFailure(cause));
      }
    }

    private void onFailure(Throwable cause) {
      if (!(cause instanceof UpstreamFailure failure)) {
        failedByBug(cause);
      } else if (doneSeen) {
        end(true, null);  // after the protocol's end (a Responses stream has no sentinel to stop its reader): complete
      } else if (finishSeen) {
        fail(failure.getMessage(), null);  // the answer was finished but not ended: there is nothing to continue
      } else {
        Verdict verdict = FailureClassifier.transport(failure.kind(), failure.getMessage());
        broke(verdict, new Break(failure.getMessage(), null, null));
      }
    }

    private void guarded(Runnable handling) {
      try {
        handling.run();
      } catch (RuntimeException bug) {
        failedByBug(bug);
      }
    }
  }

  /** The source broke mid-answer: continue on the next candidate if the answer allows it, else end with the break. */
  private void broke(Verdict verdict, Break cut) {
    lastBreak = cut;
    MidstreamRecovery.Decision decision = recovery.broke(leg.route, cut.reason());
    if (!(decision instanceof MidstreamRecovery.Continue go)) {
      endWith(cut, ((MidstreamRecovery.Stop) decision).why(), false);
      return;
    }
    flush();  // the client has everything delivered so far while the next route is sought
    Candidate brokenRoute = leg.route;
    malformedEarlier += leg.source.malformedDropped();
    leg = null;
    Accepted broken = current;
    observer.recovering(new StreamBreak(brokenRoute, cut.reason(), recovery.delivered()));
    int status = ((Accepted.Stream) broken.answer()).exchange().status();
    current = null;  // handed back to the walk, which owns its lease from here
    continueWith(next(() -> broken.next(verdict, status, go.body())), go.body());
  }

  private void continueWith(Future<Accepted> next, ClientBody body) {
    next.onComplete(result -> {
      try {
        continued(result, body);
      } catch (RuntimeException bug) {
        failedByBug(bug);
      }
    });
  }

  private void continued(AsyncResult<Accepted> result, ClientBody body) {
    if (over) {
      if (result.succeeded()) {
        result.result().release();  // the client left meanwhile
      }
      return;
    }
    if (result.failed()) {
      if (!(result.cause() instanceof ApiError)) {
        failedByBug(result.cause());  // the walk failed for the proxy's own fault, not for the routes'
        return;
      }
      recovery.outcome(Outcome.FAILED);
      endWith(lastBreak, "no route could continue it", true);
      return;
    }
    Accepted next = result.result();
    current = next;  // held from here, so that it is released however the delivery ends
    if (next.answer() instanceof Accepted.Stream stream) {
      recovery.continuedOn(next.route());
      ctx.servedBy(next.route());
      observer.requestSent(next.route(), next.sentBody());
      observer.accepted(stream.exchange().status(), stream.exchange().headers());
      deliver(next);
    } else if (next.answer() instanceof Accepted.Whole whole) {
      // Not a stream (e.g. a 400 for the prefill): that route refused the continuation; the walk goes on.
      int status = whole.status();
      Verdict refused = FailureClassifier.continuationRefused(whole.body());
      current = null;  // handed back to the walk
      continueWith(next(() -> next.next(refused, status, body)), body);
    } else {
      release();  // a provider's own error that no route could avoid: nobody continues the answer
      recovery.outcome(Outcome.FAILED);
      endWith(lastBreak, "no route could continue it", true);
    }
  }

  /** The continuation leg cannot be joined to the stream (a restart that differs from what was delivered). */
  private void cannotJoin(Leg restart) {
    recovery.outcome(Outcome.MISMATCH);
    restart.source.discard();
    fail(lastBreak.reason(), "the restart on " + restart.route.key() + " cannot be joined to it: "
        + recovery.joinFailure(), true);
  }

  private static Future<Accepted> next(Supplier<Future<Accepted>> step) {
    try {
      return step.get();
    } catch (RuntimeException bug) {
      return Future.failedFuture(bug);
    }
  }

  /** Ends the stream with a break that was not continued: the provider's own error event, or ours naming it. */
  private void endWith(Break cut, String why, boolean listAttempts) {
    if (cut.clientError() != null) {
      observer.event(cut.upstreamError(), cut.clientError());
      write(cut.clientError());
      end(false, "upstream reported an error in the stream");
    } else {
      fail(cut.reason(), why, listAttempts);
    }
  }

  private void fail(String reason, String why) {
    fail(reason, why, false);
  }

  private void fail(String reason, String why, boolean listAttempts) {
    String message = recovery.interrupted(reason, why, listAttempts);
    write(StreamErrorEvent.of(ctx, lastEvent, ErrorKind.UPSTREAM_FAILED, message));
    end(false, reason);
  }

  /**
   * A bug in the proxy's own code: not answered here (the pipeline's guard ends the stream and logs it with the
   * trace id), and no route is blamed. Whatever upstream is live is dropped and the answer held released, then the
   * bug is passed on.
   */
  private void failedByBug(Throwable bug) {
    if (over) {
      return;
    }
    flush();
    over = true;
    if (leg != null) {
      leg.source.discard();
    }
    release();
    try {
      recovery.ended(false, false);
      observer.ended(new RelayOutcome(false, "internal proxy error", bytesOut, malformed(), false, legs));
    } finally {
      done.tryFail(bug);  // the bug may be in either of those: the pipeline must hear of it all the same
    }
  }

  private void flush() {
    if (over || batch == null) {
      return;
    }
    Buffer pending = batch;
    batch = null;
    client.write(pending);
    if (client.writeQueueFull() && leg != null) {
      leg.source.pause();
    }
  }

  private void end(boolean complete, String failure) {
    if (over) {
      return;
    }
    flush();
    over = true;
    recovery.ended(complete, false);
    RelayOutcome outcome = new RelayOutcome(complete, failure, bytesOut, malformed(), false, legs);
    client.end().onComplete(ar -> finish(outcome));
  }

  private void clientGone() {
    if (over) {
      return;
    }
    over = true;
    if (leg != null) {
      leg.source.discard();
    } else {
      recovery.outcome(Outcome.CLIENT_GONE);
    }
    recovery.ended(false, true);
    finish(new RelayOutcome(false, "client disconnected", bytesOut, malformed(), true, legs));
  }

  private int malformed() {
    return malformedEarlier + (leg == null ? 0 : leg.source.malformedDropped());
  }

  private void finish(RelayOutcome outcome) {
    if (done.tryComplete(outcome)) {
      release();
      observer.ended(outcome);
    }
  }

  /** Gives back the answer being delivered (its route's lease, its upstream). */
  private void release() {
    if (current != null) {
      current.release();
      current = null;
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
    if (batch == null) {
      batch = bytes;
      batchIsCopy = false;
    } else {
      if (!batchIsCopy) {
        batch = Buffer.buffer(batch.length() + bytes.length() + 256).appendBuffer(batch);
        batchIsCopy = true;
      }
      batch.appendBuffer(bytes);
    }
  }
}
