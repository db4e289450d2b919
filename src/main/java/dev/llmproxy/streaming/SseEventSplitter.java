package dev.llmproxy.streaming;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into server-sent events at blank lines, accepting the three line endings the SSE spec
 * allows (LF, CRLF, CR). Each event is emitted as its original bytes, terminator included, so forwarding it is
 * a byte copy. Incremental: bytes of an unfinished event wait for the next chunk.
 */
public final class SseEventSplitter {

  private Buffer pending = Buffer.buffer();
  private int scanPos;
  private int lineStart;

  public void feed(Buffer chunk, Consumer<Buffer> onEvent) {
    pending.appendBuffer(chunk);
    int n = pending.length();
    int eventStart = 0;
    int i = scanPos;
    while (i < n) {
      byte b = pending.getByte(i);
      if (b != '\n' && b != '\r') {
        i++;
        continue;
      }
      int terminator = 1;
      if (b == '\r') {
        if (i + 1 >= n) {
          break; // a CR at the end of a chunk may be the first half of CRLF
        }
        if (pending.getByte(i + 1) == '\n') {
          terminator = 2;
        }
      }
      boolean blankLine = i == lineStart;
      i += terminator;
      lineStart = i;
      if (blankLine) {
        onEvent.accept(pending.getBuffer(eventStart, i));
        eventStart = i;
      }
    }
    if (eventStart > 0) {
      pending = pending.getBuffer(eventStart, n);
    }
    scanPos = i - eventStart;
    lineStart -= eventStart;
  }

  /** Bytes of an event the upstream never finished (no closing blank line); empty if none. */
  public Buffer remainder() {
    return pending;
  }
}
