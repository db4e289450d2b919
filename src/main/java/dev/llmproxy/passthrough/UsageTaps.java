package dev.llmproxy.passthrough;

import dev.llmproxy.observability.UsageExtractor;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import dev.llmproxy.upstream.UpstreamExchange;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Optional;

/** The built-in taps: token usage from a passed-through event stream or JSON answer, for the access log and metrics. */
final class UsageTaps implements RelayTap.Factory {

  /** A JSON answer larger than this is relayed without reading its usage rather than buffering a copy. */
  static final int MAX_JSON_COPY = 1024 * 1024;

  @Override
  public Optional<RelayTap> tap(RequestContext ctx, UpstreamExchange exchange) {
    String type = String.valueOf(exchange.headers().get("content-type")).toLowerCase(Locale.ROOT);
    if (type.startsWith("text/event-stream")) {
      SseEventSplitter splitter = new SseEventSplitter();
      return Optional.of(chunk -> splitter.feed(chunk, raw -> UsageExtractor.recordEvent(ctx, SseEvent.parse(raw))));
    }
    if (type.startsWith("application/json")) {
      Buffer copy = Buffer.buffer();
      return Optional.of(new RelayTap() {
        @Override
        public void onChunk(Buffer chunk) {
          if (copy.length() + chunk.length() <= MAX_JSON_COPY) {
            copy.appendBuffer(chunk);
          }
        }

        @Override
        public void onEnd() {
          UsageExtractor.recordBody(ctx, copy);
        }
      });
    }
    return Optional.empty();
  }
}
