package dev.llmproxy.streaming;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into server-sent events at blank lines, accepting the three line endings the SSE spec
 * allows (LF, CRLF, CR). Each event is emitted as its original bytes, terminator included (a slice of the chunk
 * when it lies within one, so no copy), and forwarding it writes those bytes. Incremental: bytes of an unfinished
 * event wait for the next chunk.
 */
public final class SseEventSplitter {

  private Buffer pending = Buffer.buffer();
  private int scanPos;
  private int lineStart;

  public void feed(Buffer chunk, Consumer<Buffer> onEvent) {
    // The common case, nothing pending: events are cut straight out of the chunk (slices, no copy); only an
    // unfinished tail is copied, to wait for the next chunk.
    Buffer data = pending.length() == 0 ? chunk : pending.appendBuffer(chunk);
    int n = data.length();
    int eventStart = 0;
    int i = scanPos;
    while (i < n) {
      byte b = data.getByte(i);
      if (b != '\n' && b != '\r') {
        i++;
        continue;
      }
      int terminator = 1;
      if (b == '\r') {
        if (i + 1 >= n) {
          break; // a CR at the end of a chunk may be the first half of CRLF
        }
        if (data.getByte(i + 1) == '\n') {
          terminator = 2;
        }
      }
      boolean blankLine = i == lineStart;
      i += terminator;
      lineStart = i;
      if (blankLine) {
        onEvent.accept(data.slice(eventStart, i));
        eventStart = i;
      }
    }
    if (eventStart == n) {
      pending = Buffer.buffer();
    } else if (eventStart > 0 || data == chunk) {
      pending = data.getBuffer(eventStart, n);  // a copy: the slices handed out keep the old bytes
    }
    scanPos = i - eventStart;
    lineStart -= eventStart;
  }

  /** Bytes of an event the upstream never finished (no closing blank line); empty if none. */
  public Buffer remainder() {
    return pending;
  }
}
