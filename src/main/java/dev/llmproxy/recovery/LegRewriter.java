package dev.llmproxy.recovery;

import dev.llmproxy.streaming.SseEvent;
import java.util.List;

/**
 * Rewrites the events of one continuation leg (in the client's protocol) into the stream the client is already
 * reading: the leg's own preamble dropped, the stream's identity and numbering kept, its text joined at the cut,
 * its final usage summed over the legs. One instance per leg; confined to the request's event loop.
 */
interface LegRewriter {

  /** The events the client receives for one event of the leg: none, the event itself, or the event rewritten. */
  List<SseEvent> rewrite(SseEvent event);

  /** Why this leg cannot be joined to the stream (a restart that differs), so the stream must end; else null. */
  String failure();
}
