package dev.llmproxy.capture;

import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.relay.StreamBreak;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's capture tap, opened by the {@code capture} stage and fed by a relay ({@code Relay} for a routed
 * answer, {@code RawRelay} for a passed-through one) as a {@link RelayObserver}: the body the serving route
 * received, and what the client was sent (the whole answer, or each event's bytes). It keeps references only,
 * because it runs on the event loop; decoding, reassembly and masking happen on the capture writer thread
 * ({@link #clientEvents}). Stream bytes are kept up to {@code maxBytes}; past that the record says the stream was
 * truncated. Sealed when the record is taken: nothing it holds changes after that.
 *
 * <p>A binary stream relayed whole (Bedrock's eventstream in Claude Code's Bedrock mode) has no bytes per event:
 * its reader hands each decoded event with empty raw and client bytes, and the tap keeps the decoded events
 * instead ({@link #decodedEvents}), so the record can reassemble the message the client's frames carried.
 *
 * <p>A stream continued on another route after it broke (mid-stream recovery) stays one stream here: the events
 * keep coming with the bytes the client receives after the rewriting, and each break is kept as a
 * {@link Recovery} with the route that continued and the body it was sent ({@link #recoveries}); the request's
 * {@link #sentBody} stays the first route's.
 */
final class CaptureTap implements RelayObserver {

  /** One stream event as the client received it, decoded ({@code name} and {@code data} may be null). */
  record Event(String name, String data) {}

  /**
   * A stream that broke mid-answer and what the relay did about it.
   *
   * @param continuedOn the route that accepted the continuation; null when none did
   * @param body the continuation's body as that route received it (with the delivered text as a prefill)
   */
  record Recovery(StreamBreak broke, Candidate continuedOn, Buffer body) {}

  private final long maxBytes;
  private boolean sealed;
  private Buffer sentBody;
  private Buffer responseBody;
  private List<Buffer> streamBytes;
  private List<Event> decodedEvents;
  private long streamByteCount;
  private boolean streamTruncated;
  private List<Recovery> recoveries;
  /** Each route whose answer the client received: the first announced, then each continuation's. */
  private final List<Candidate> legs = new ArrayList<>(1);

  CaptureTap(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void requestSent(Candidate route, Buffer body) {
    if (sealed) {
      return;
    }
    Recovery last = recoveries == null ? null : recoveries.get(recoveries.size() - 1);
    if (last != null && last.continuedOn() == null) {
      recoveries.set(recoveries.size() - 1, new Recovery(last.broke(), route, body));  // the continuation's route
    } else {
      sentBody = body;
      legs.clear();
    }
    if (route != null) {
      legs.add(route);
    }
  }

  @Override
  public void recovering(StreamBreak broke) {
    if (sealed) {
      return;
    }
    if (recoveries == null) {
      recoveries = new ArrayList<>(1);
    }
    recoveries.add(new Recovery(broke, null, null));
  }


  @Override
  public void body(Buffer upstream, Buffer toClient) {
    if (!sealed) {
      responseBody = toClient;
    }
  }

  @Override
  public void event(SseEvent upstream, Buffer toClient) {
    if (sealed) {
      return;
    }
    if (streamBytes == null) {
      streamBytes = new ArrayList<>();
    }
    if (toClient.length() == 0) {
      if (upstream.raw().length() == 0 && upstream.data() != null) {
        keepDecoded(upstream);  // decoded from a binary stream whose frames the client gets unchanged
      }
      return;  // else the client got nothing for this event
    }
    if (streamTruncated || streamByteCount + toClient.length() > maxBytes) {
      streamTruncated = true;  // kept up to here: later bytes could not be split without the ones left out
      return;
    }
    streamByteCount += toClient.length();
    streamBytes.add(toClient);
  }

  private void keepDecoded(SseEvent event) {
    if (decodedEvents == null) {
      decodedEvents = new ArrayList<>();
    }
    // Counted in characters: an approximation of the bytes, good enough for a bound.
    long size = event.data().length() + (event.name() == null ? 0 : event.name().length());
    if (streamTruncated || streamByteCount + size > maxBytes) {
      streamTruncated = true;
      return;
    }
    streamByteCount += size;
    decodedEvents.add(new Event(event.name(), event.data()));
  }

  /** The record is being taken: later calls (none are expected) change nothing. */
  void seal() {
    sealed = true;
  }

  /** The request body as the route that answered received it; null when no route answered. */
  Buffer sentBody() {
    return sentBody;
  }

  /** A whole answer as the client received it; null when there was none. */
  Buffer responseBody() {
    return responseBody;
  }

  /** The bytes of each stream event the client received, or null when no stream was relayed. */
  List<Buffer> streamBytes() {
    return streamBytes;
  }

  /**
   * The events decoded from a binary stream the client received unchanged (Bedrock's eventstream), or null when
   * the stream was server-sent events (then {@link #streamBytes} are the client's bytes).
   */
  List<Event> decodedEvents() {
    return decodedEvents;
  }

  /** Each mid-stream break of the answer, in order; null when there was none. */
  List<Recovery> recoveries() {
    return recoveries;
  }

  /**
   * The routes whose answers the client received, in order: the one that answered, then each that continued the
   * stream after a break (what {@code RelayOutcome.legs} reports, known here without waiting for the end).
   */
  List<Candidate> legs() {
    return legs;
  }

  boolean streamTruncated() {
    return streamTruncated;
  }

  /**
   * The events a client received, cut exactly as the relay cuts a stream (a transformer may send several events,
   * or part of one, for an upstream event). Off the event loop: the capture writer calls it.
   */
  static List<Event> clientEvents(List<Buffer> bytes) {
    List<Event> events = new ArrayList<>(bytes.size());
    SseEventSplitter splitter = new SseEventSplitter();
    for (Buffer chunk : bytes) {
      splitter.feed(chunk, raw -> {
        SseEvent event = SseEvent.parse(raw);
        if (event.name() != null || event.data() != null) {
          events.add(new Event(event.name(), event.data()));
        }
      });
    }
    Buffer rest = splitter.remainder();
    if (rest.length() > 0 && !rest.toString(StandardCharsets.UTF_8).isBlank()) {
      SseEvent last = SseEvent.parse(rest);  // cut by truncation or a broken stream: what there is of it
      if (last.name() != null || last.data() != null) {
        events.add(new Event(last.name(), last.data()));
      }
    }
    return events;
  }
}
