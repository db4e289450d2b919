package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured WARN line per forward that produced no usable exchange (connect refused, reset, timeouts), at
 * the moment it fails, and the failure noted on the request for the upstream-error metric. Routed attempts and
 * passed-through requests alike.
 */
public final class ForwardLog {

  private static final Logger LOG = LoggerFactory.getLogger("llmproxy.forward");

  private ForwardLog() {}

  /** Attempt hook: {@code elapsed} is how long this attempt took to fail. */
  public static void failed(RequestContext ctx, UpstreamRequest call, UpstreamFailure failure, Duration elapsed) {
    String backend = call.candidate().backend().name();
    String kind = failure.kind().name().toLowerCase(Locale.ROOT);
    ctx.recordUpstreamError(backend, kind);
    RequestLog.warn(LOG, ctx, "forward failed",
        kv(LogFields.BACKEND, backend),
        kv(LogFields.MODEL, call.candidate().model()),
        kv(LogFields.STREAM, ctx.stream()),
        kv(LogFields.BODY_BYTES, call.body() == null ? 0 : call.body().length()),
        kv(LogFields.ELAPSED_MS, elapsed.toMillis()),
        kv(LogFields.FAILURE_KIND, kind),
        kv(LogFields.CAUSE, failure.getMessage()));
  }

  /** Passthrough hook: the transparent mode's one try, at {@code path} of {@code backend}, got no usable answer. */
  public static void passthroughFailed(RequestContext ctx, String backend, String path, UpstreamFailure failure,
      Duration elapsed) {
    String kind = failure.kind().name().toLowerCase(Locale.ROOT);
    ctx.recordUpstreamError(backend, kind);
    RequestLog.warn(LOG, ctx, "passthrough failed",
        kv(LogFields.BACKEND, backend),
        kv(LogFields.PATH, path),
        kv(LogFields.ELAPSED_MS, elapsed.toMillis()),
        kv(LogFields.FAILURE_KIND, kind),
        kv(LogFields.CAUSE, failure.getMessage()));
  }
}
