package dev.llmproxy.capture;

import dev.llmproxy.pipeline.ExchangeTap;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's capture tap: keeps references to what its client is sent, nothing more, because it runs on the
 * event loop. Decoding, reassembly and masking happen later on the capture writer thread. Stream events are
 * kept up to {@code maxBytes} of data; past that the record says the stream was truncated.
 */
final class CaptureTap implements ExchangeTap {

  /** One decoded stream event. */
  record Event(String name, String data) {}

  private final long maxBytes;
  private Buffer responseBody;
  private List<Event> events;
  private long eventBytes;
  private boolean eventsTruncated;

  CaptureTap(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void responseBody(Buffer body) {
    responseBody = body;
  }

  @Override
  public void streamStarted() {
    events = new ArrayList<>();
    eventBytes = 0;
    eventsTruncated = false;
  }

  @Override
  public void streamEvent(String name, String data) {
    if (events == null) {
      streamStarted();
    }
    long size = (name == null ? 0 : name.length()) + (data == null ? 0 : data.length());
    if (eventBytes + size > maxBytes) {
      eventsTruncated = true;
      return;
    }
    eventBytes += size;
    events.add(new Event(name, data));
  }

  Buffer responseBody() {
    return responseBody;
  }

  /** Events of the last stream read, or null when no stream was. */
  List<Event> events() {
    return events;
  }

  boolean eventsTruncated() {
    return eventsTruncated;
  }
}
