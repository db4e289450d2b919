package dev.llmproxy.observability;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Masks credentials in the upstream error answers the proxy relays to its clients as they are: a provider may
 * quote the key it was sent (a 401 naming it, a 400 echoing the request's headers), and keys never reach
 * clients or captures (the relays mask before translation or any observer sees the answer). Same rules as the
 * logs ({@link LogMasking}): configured secrets, then key shapes; a passed-through request's own key (the
 * transparent mode's {@code credentials: client}) is masked literally too, whatever its shape.
 *
 * <p>Only error answers are masked: a successful answer is the model's output, which may legitimately contain
 * text shaped like a key (code, examples), and is relayed byte for byte.
 */
public final class RelayMasking {

  private RelayMasking() {}

  /** The body of an upstream answer with {@code status}, masked if it is an error answer. */
  public static Buffer body(int status, Buffer body) {
    return body(status, body, List.of());
  }

  /** @param sentKeys keys the request carried to the backend besides the configured ones, masked literally */
  public static Buffer body(int status, Buffer body, List<String> sentKeys) {
    return status >= 400 ? masked(body, sentKeys) : body;
  }

  /** An error event of an upstream stream, masked: the same event when it quotes no credential. */
  public static SseEvent errorEvent(SseEvent event) {
    Buffer raw = masked(event.raw(), List.of());
    return raw == event.raw() ? event : SseEvent.parse(raw);
  }

  /**
   * The raw bytes of an upstream stream's error event, masked: the same bytes when they quote no credential.
   *
   * @param sentKeys keys the request carried to the backend besides the configured ones, masked literally
   */
  public static Buffer errorEvent(Buffer rawEvent, List<String> sentKeys) {
    return masked(rawEvent, sentKeys);
  }

  private static Buffer masked(Buffer bytes, List<String> sentKeys) {
    if (bytes == null || bytes.length() == 0) {
      return bytes;
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    String masked = text;
    for (String key : sentKeys) {
      // Literal first: a shape pattern would mask only part of it ("Bearer ****" leaves a bare copy elsewhere).
      if (key.length() >= LogMasking.MIN_SECRET_LENGTH) {
        masked = masked.replace(key, LogMasking.MASK);
      }
    }
    masked = LogMasking.mask(masked);
    return masked.equals(text) ? bytes : Buffer.buffer(masked);  // unchanged bytes when there is nothing to mask
  }
}
