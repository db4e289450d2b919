package dev.llmproxy.capture;

import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a finished request leaves for its record, copied off the {@link RequestContext} on the event loop: plain
 * field reads and references, no encoding. The request body is the parsed (and prompt-injected) JSON the
 * upstream got, shared rather than copied: nothing changes it once the request has finished.
 */
record FinishedExchange(
    CaptureSettings settings,
    long startedAtMillis,
    long ttfbMillis,
    long durationMillis,
    String traceId,
    String clientIp,
    String method,
    String path,
    String endpoint,
    Protocol protocol,
    List<Map.Entry<String, String>> headers,
    String sessionHeaderValue,
    JsonObject body,
    Buffer rawBody,  // what the client sent; its length decides truncation, and it is the body when not JSON
    String alias,
    String backend,
    String model,
    int status,
    boolean stream,
    long promptTokens,
    long completionTokens,
    List<AttemptRecord> attempts,
    String error,
    long bytesOut,
    boolean clientGone,
    Buffer responseBody,
    List<CaptureTap.Event> events,
    boolean eventsTruncated) {

  /**
   * The request's own error: a failure that ended it, or broke its answer after the first byte. The reason of
   * an attempt that failed before another one served the request stays in that attempt's outcome only.
   */
  static String requestError(RequestContext ctx) {
    String error = ctx.errorReason();
    if (error == null || ctx.status() >= 400 || ctx.servedBy() == null) {
      return error;
    }
    List<AttemptRecord> attempts = ctx.attempts();
    boolean earlierAttempt = attempts.subList(0, Math.max(0, attempts.size() - 1)).stream()
        .anyMatch(a -> error.equals(a.outcome()));
    return earlierAttempt ? null : error;
  }

  /** @param nowMillis wall-clock time of the finish, from the gateway's clock */
  static FinishedExchange of(RequestContext ctx, CaptureTap tap, CaptureSettings settings, long nowMillis) {
    long duration = ctx.elapsedMillis();
    long ttfb = ctx.firstByteNanos() == 0 ? -1 : (ctx.firstByteNanos() - ctx.startNanos()) / 1_000_000;
    List<Map.Entry<String, String>> headers = List.of();
    if (settings.includeHeaders()) {
      headers = new ArrayList<>(ctx.request().headers().size());
      for (Map.Entry<String, String> h : ctx.request().headers()) {
        headers.add(Map.entry(h.getKey(), h.getValue()));
      }
    }
    var served = ctx.servedBy();
    boolean streamed = tap.events() != null && served != null;
    return new FinishedExchange(settings, nowMillis - duration, ttfb, duration, ctx.traceId(), ctx.clientIp(),
        ctx.request().method().name(), ctx.request().path(), ctx.endpoint().upstreamPath(), ctx.protocol(),
        headers, ctx.request().getHeader(settings.sessionHeader()), ctx.body(), ctx.rawBody(),
        ctx.alias() == null ? null : ctx.alias().name(),
        served == null ? null : served.backend().name(), served == null ? null : served.model(),
        ctx.status(), ctx.stream(), ctx.promptTokens(), ctx.completionTokens(), List.copyOf(ctx.attempts()),
        requestError(ctx), ctx.bytesOut(), ctx.clientGone(), tap.responseBody(),
        streamed ? tap.events() : null, streamed && tap.eventsTruncated());
  }
}
