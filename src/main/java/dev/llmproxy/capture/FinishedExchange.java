package dev.llmproxy.capture;

import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a finished request leaves for its record, copied off the {@link RequestContext} and its
 * {@link CaptureTap} on the event loop: plain field reads and references, no encoding. Nothing referenced changes
 * once the request has finished (the tap is sealed, the parsed body is no longer touched).
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
    Buffer sentBody,  // the body as the serving route received it; null when no route answered
    JsonObject body,  // else the parsed (and prompt-injected) request, when it was parsed
    Buffer rawBody,  // else what the client sent
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
    List<Buffer> streamBytes,  // each stream event as the client received it; null when no stream was relayed
    boolean streamTruncated) {

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

  static FinishedExchange of(RequestContext ctx, CaptureTap tap, CaptureSettings settings) {
    Duration ttfb = ctx.timeToFirstByte();
    List<Map.Entry<String, String>> headers = List.of();
    if (settings.includeHeaders()) {
      headers = new ArrayList<>(ctx.request().headers().size());
      for (Map.Entry<String, String> h : ctx.request().headers()) {
        headers.add(Map.entry(h.getKey(), h.getValue()));
      }
    }
    var served = ctx.servedBy();
    boolean streamed = tap.streamBytes() != null && served != null;
    return new FinishedExchange(settings, ctx.scope().started().toEpochMilli(), ttfb == null ? -1 : ttfb.toMillis(),
        ctx.elapsed().toMillis(), ctx.traceId(), ctx.clientIp(), ctx.request().method().name(), ctx.request().path(),
        ctx.endpoint().upstreamPath(), ctx.protocol(), headers, ctx.request().getHeader(settings.sessionHeader()),
        tap.sentBody(), ctx.body(), ctx.rawBody(), ctx.alias() == null ? null : ctx.alias().name(),
        served == null ? null : served.backend().name(), served == null ? null : served.model(),
        ctx.status(), ctx.stream(), ctx.promptTokens(), ctx.completionTokens(), List.copyOf(ctx.attempts()),
        requestError(ctx), ctx.bytesOut(), ctx.clientGone(), tap.responseBody(),
        streamed ? tap.streamBytes() : null, streamed && tap.streamTruncated());
  }
}
