package dev.llmproxy.observability;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Masks credentials in the upstream error answers the proxy relays to its clients as they are: a provider may
 * quote the key it was sent (a 401 naming it, a 400 echoing the request's headers), and backend keys never reach
 * clients or captures (the relay masks before translation or any observer sees the answer). Same rules as the
 * logs ({@link LogMasking}): configured secrets, then key shapes.
 *
 * <p>Only error answers are masked: a successful answer is the model's output, which may legitimately contain
 * text shaped like a key (code, examples), and is relayed byte for byte.
 */
public final class RelayMasking {

  private RelayMasking() {}

  /** The body of an upstream answer with {@code status}, masked if it is an error answer. */
  public static Buffer body(int status, Buffer body) {
    return status >= 400 ? masked(body) : body;
  }

  /** An error event of an upstream stream, masked: the same event when it quotes no credential. */
  public static SseEvent errorEvent(SseEvent event) {
    Buffer raw = masked(event.raw());
    return raw == event.raw() ? event : SseEvent.parse(raw);
  }

  private static Buffer masked(Buffer bytes) {
    if (bytes == null || bytes.length() == 0) {
      return bytes;
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    String masked = LogMasking.mask(text);
    return masked.equals(text) ? bytes : Buffer.buffer(masked);  // unchanged bytes when there is nothing to mask
  }
}
