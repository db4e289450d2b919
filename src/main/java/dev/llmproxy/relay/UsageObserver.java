package dev.llmproxy.relay;

import dev.llmproxy.observability.UsageExtractor;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;

/** Token usage as the upstream reported it, noted on the request for the access log and the metrics. */
public final class UsageObserver implements RelayObserver {

  public static final RelayObserver.Factory FACTORY = UsageObserver::new;

  private final RequestContext ctx;

  private UsageObserver(RequestContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void body(Buffer upstream, Buffer toClient) {
    UsageExtractor.recordBody(ctx, upstream);
  }

  @Override
  public void event(SseEvent upstream, Buffer toClient) {
    UsageExtractor.recordEvent(ctx, upstream);
  }
}
