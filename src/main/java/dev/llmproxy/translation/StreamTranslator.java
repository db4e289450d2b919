package dev.llmproxy.translation;

import io.vertx.core.buffer.Buffer;

/**
 * Rewrites one upstream event stream into the client's protocol, event by event: each upstream event yields zero
 * or more client events at once (nothing is held back to the end). Stateful and single-use: one instance per
 * stream, confined to the stream's event loop. After the stream ended (its end marker, an error event, or
 * {@link #onFailure}) every further call appends nothing, so the client sees one coherent ending.
 */
public interface StreamTranslator {

  /**
   * One upstream server-sent event.
   *
   * @param event its {@code event:} field, or null
   * @param data its {@code data:} lines joined by newlines, or null for a comment-only event
   * @param out where the client's events are appended, as complete SSE bytes
   */
  void onEvent(String event, String data, Buffer out);

  /**
   * The upstream closed the stream. Appends the client's end if the answer was finished (adding an end marker the
   * upstream left out), or an error event if it stopped short: a cut stream never looks complete.
   */
  void onEnd(Buffer out);

  /** The upstream failed (reset, idle timeout): appends the client protocol's error event, once. */
  void onFailure(String message, Buffer out);

  /** Whether the client's stream has ended (end marker or error event written). */
  boolean ended();

  /** Whether the client got a complete answer with its protocol's end marker. */
  boolean complete();
}
