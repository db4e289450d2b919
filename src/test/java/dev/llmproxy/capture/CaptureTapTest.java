package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tap keeps what the relay hands it by reference, within its byte bound, and nothing after it is sealed. */
class CaptureTapTest {

  private static Buffer bytes(String text) {
    return Buffer.buffer(text);
  }

  private static SseEvent upstream(String text) {
    return SseEvent.parse(bytes(text));
  }

  @Test
  void clientEventsAreCutAsTheRelayCutsThemWhateverTheChunking() {
    // A transformer may send two events for one upstream event, or an event in two parts.
    List<Buffer> chunks = List.of(
        bytes("event: a\ndata: {\"n\":1}\n\nevent: b\r\ndata: {\"n\":2}\r\n\r\n"),
        bytes("data: line one\n"),
        bytes("data: line two\n\n"),
        bytes(": a comment only\n\n"),
        bytes("data: [DONE]\n\n"));
    assertEquals(List.of(
            new CaptureTap.Event("a", "{\"n\":1}"),
            new CaptureTap.Event("b", "{\"n\":2}"),
            new CaptureTap.Event(null, "line one\nline two"),
            new CaptureTap.Event(null, "[DONE]")),
        CaptureTap.clientEvents(chunks));
  }

  @Test
  void anUnfinishedLastEventIsKeptAsFarAsItGoes() {
    assertEquals(List.of(new CaptureTap.Event(null, "{\"n\":1}"), new CaptureTap.Event(null, "{\"n\":")),
        CaptureTap.clientEvents(List.of(bytes("data: {\"n\":1}\n\ndata: {\"n\":"))));
  }

  @Test
  void keepsTheClientsBytesByReferenceUpToTheBoundThenNoMore() {
    CaptureTap tap = new CaptureTap(30);
    Buffer first = bytes("data: {\"n\":1}\n\n");  // 15 bytes
    Buffer big = bytes("data: {\"n\":22222}\n\n");  // 19 bytes: over the bound with the first
    Buffer small = bytes("data: 3\n\n");  // would fit, but comes after a gap
    tap.event(upstream("data: {\"upstream\":1}\n\n"), first);
    tap.event(upstream("data: {\"upstream\":2}\n\n"), Buffer.buffer());  // nothing for the client
    tap.event(upstream("data: {\"upstream\":3}\n\n"), big);
    tap.event(upstream("data: {\"upstream\":4}\n\n"), small);
    assertEquals(1, tap.streamBytes().size());
    assertSame(first, tap.streamBytes().get(0), "a reference, not a copy");
    assertTrue(tap.streamTruncated());
  }

  @Test
  void aWholeAnswerAndTheSentBodyAreTheClientsAndTheRoutesAndNothingChangesOnceSealed() {
    CaptureTap tap = new CaptureTap(1024);
    Buffer sent = bytes("{\"model\":\"real\"}");
    Buffer upstreamBody = bytes("{\"upstream\":true}");
    Buffer clientBody = bytes("{\"client\":true}");
    tap.requestSent(null, sent);
    tap.body(upstreamBody, clientBody);
    assertNull(tap.streamBytes(), "no stream was relayed");
    tap.seal();
    tap.body(upstreamBody, bytes("late"));
    tap.requestSent(null, bytes("late"));
    tap.event(upstream("data: 1\n\n"), bytes("data: 1\n\n"));
    assertSame(sent, tap.sentBody());
    assertSame(clientBody, tap.responseBody());
    assertNull(tap.streamBytes());
    assertFalse(tap.streamTruncated());
  }

  @Test
  void eventsDecodedFromABinaryStreamAreKeptDecodedWithinTheBound() {
    // Bedrock's eventstream: the client gets the frames unchanged, so an event has no bytes of its own.
    CaptureTap tap = new CaptureTap(40);
    SseEvent first = new SseEvent(Buffer.buffer(), "message_start", "{\"type\":\"message_start\"}");  // 39
    SseEvent second = new SseEvent(Buffer.buffer(), "message_stop", "{\"type\":\"message_stop\"}");
    tap.event(first, Buffer.buffer());
    tap.event(upstream("data: {\"dropped\":1}\n\n"), Buffer.buffer());  // an SSE event the client did not get
    tap.event(second, Buffer.buffer());
    assertEquals(List.of(new CaptureTap.Event("message_start", "{\"type\":\"message_start\"}")),
        tap.decodedEvents());
    assertTrue(tap.streamTruncated(), "the second is past the bound");
    assertEquals(List.of(), tap.streamBytes(), "no client bytes per event");
  }

  @Test
  void aFaultOfTheTapNeverReachesTheRelayAndIsLogged() throws Exception {
    CaptureTap tap = new CaptureTap(1024);
    java.time.Clock clock = java.time.Clock.systemUTC();
    var guarded = new Capture.Guarded(tap, "trace-guarded", new ThrottledLog(
        org.slf4j.LoggerFactory.getLogger(Capture.class), clock));
    try (dev.llmproxy.support.LogCapture log = dev.llmproxy.support.LogCapture.of(Capture.class)) {
      guarded.event(null, Buffer.buffer());  // a tap that throws (here: on an event it cannot read)
      String line = log.awaitLine("trace-guarded", java.time.Duration.ofSeconds(5));
      assertTrue(line.contains("the answer is not affected"), line);
    }
    guarded.event(upstream("data: 1\n\n"), bytes("data: 1\n\n"));
    assertEquals(1, tap.streamBytes().size(), "the tap goes on");
  }
}
