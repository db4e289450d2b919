package dev.llmproxy.relay;

import dev.llmproxy.observability.UsageExtractor;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;

/**
 * Token usage as the upstream reported it, noted on the request for the access log and the metrics. A stream
 * continued on other routes (mid-stream recovery) spent tokens on every leg: the counts are the sums over the
 * legs, and partial, since a leg that broke never reported its final output count.
 */
public final class UsageObserver implements RelayObserver {

  public static final RelayObserver.Factory FACTORY = UsageObserver::new;

  private final RequestContext ctx;
  private long earlierPrompt = -1;
  private long earlierCompletion = -1;
  private long legPrompt = -1;
  private long legCompletion = -1;

  private UsageObserver(RequestContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void body(Buffer upstream, Buffer toClient) {
    UsageExtractor.recordBody(ctx, upstream);
  }

  @Override
  public void event(SseEvent upstream, Buffer toClient) {
    UsageExtractor.Usage usage = UsageExtractor.fromEvent(upstream);
    if (usage.isEmpty()) {
      return;
    }
    // A stream reports in parts (Anthropic: input at the start, output at the end); a later count refines one.
    legPrompt = usage.promptTokens() >= 0 ? usage.promptTokens() : legPrompt;
    legCompletion = usage.completionTokens() >= 0 ? usage.completionTokens() : legCompletion;
    ctx.usage(sum(earlierPrompt, legPrompt), sum(earlierCompletion, legCompletion));
  }

  @Override
  public void recovering(StreamBreak broke) {
    earlierPrompt = sum(earlierPrompt, legPrompt);
    earlierCompletion = sum(earlierCompletion, legCompletion);
    legPrompt = -1;
    legCompletion = -1;
    ctx.usagePartial(true);
  }

  /** -1 (not reported) when neither side reported. */
  private static long sum(long a, long b) {
    return a < 0 && b < 0 ? -1 : Math.max(a, 0) + Math.max(b, 0);
  }
}
