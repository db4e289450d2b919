package dev.llmproxy.translation;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** Writes server-sent events in the exact framing each provider uses. */
final class Sse {

  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private Sse() {}

  /** Anthropic style: the event name repeats the payload's {@code type}. */
  static void named(Buffer out, String name, JsonObject data) {
    out.appendString("event: ").appendString(name).appendString("\ndata: ").appendString(data.encode())
        .appendString("\n\n");
  }

  /** OpenAI style: data lines only. */
  static void data(Buffer out, JsonObject data) {
    out.appendString("data: ").appendString(data.encode()).appendString("\n\n");
  }

  static void done(Buffer out) {
    out.appendBuffer(DONE);
  }

  /** A comment line: ignored by every SSE parser, but keeps idle proxies and timers from closing the stream. */
  static void comment(Buffer out, String text) {
    out.appendString(": ").appendString(text).appendString("\n\n");
  }
}
