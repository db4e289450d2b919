package dev.llmproxy.capture;

import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
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
    String endpoint,  // the upstream path: the operation's, or a passed-through request's own (no query)
    Endpoint kind,
    Protocol protocol,
    List<Map.Entry<String, String>> headers,
    List<String> credentials,  // the values of the request's credential headers, masked wherever they appear
    String sessionHeaderValue,
    Buffer sentBody,  // the body as the serving route received it; null when no route answered
    JsonObject body,  // else the parsed (and prompt-injected) request, when it was parsed
    Buffer rawBody,  // else what the client sent
    String alias,
    String routingRule,
    String clientKey,  // the name of the client key the request authenticated with, never the key
    boolean passthrough,
    String backend,
    String model,
    int status,
    boolean stream,
    long promptTokens,
    long completionTokens,
    List<AttemptRecord> attempts,
    List<Candidate> legs,  // the routes whose answers the client received, in order
    List<CaptureTap.Recovery> recoveries,  // each mid-stream break and its continuation; empty when none
    String error,
    long bytesOut,
    boolean clientGone,
    Buffer responseBody,
    List<Buffer> streamBytes,  // each stream event as the client received it; null when no stream was relayed
    List<CaptureTap.Event> decodedEvents,  // else a binary stream's events (Bedrock), decoded; null otherwise
    boolean streamTruncated) {

  /** Request headers whose value is a credential of the client's (its own provider key, in the transparent mode). */
  static final List<String> CREDENTIAL_HEADERS =
      List.of("authorization", "x-api-key", "api-key", "x-amz-security-token", "proxy-authorization");

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
    List<String> credentials = new ArrayList<>(2);
    for (String name : CREDENTIAL_HEADERS) {
      credentials.addAll(ctx.request().headers().getAll(name));
    }
    var served = ctx.servedBy();
    boolean streamed = tap.streamBytes() != null && served != null;
    boolean decoded = streamed && tap.decodedEvents() != null;
    return new FinishedExchange(settings, ctx.scope().started().toEpochMilli(), ttfb == null ? -1 : ttfb.toMillis(),
        ctx.elapsed().toMillis(), ctx.traceId(), ctx.clientIp(), ctx.request().method().name(), ctx.request().path(),
        upstreamPath(ctx), ctx.endpoint(), ctx.protocol(), headers, credentials,
        ctx.request().getHeader(settings.sessionHeader()), tap.sentBody(), ctx.decodedBody(), ctx.rawBody(),
        ctx.alias() == null ? null : ctx.alias().name(), ctx.routingRule(), ctx.clientKey(), ctx.passthrough() != null,
        served == null ? null : served.backend().name(), served == null ? null : served.model(),
        ctx.status(), ctx.stream(), ctx.promptTokens(), ctx.completionTokens(), List.copyOf(ctx.attempts()),
        List.copyOf(tap.legs()), tap.recoveries() == null ? List.of() : tap.recoveries(), requestError(ctx),
        ctx.bytesOut(), ctx.clientGone(), tap.responseBody(),
        streamed && !decoded ? tap.streamBytes() : null, decoded ? tap.decodedEvents() : null,
        streamed && tap.streamTruncated());
  }

  /**
   * The operation's upstream path; for a path the proxy does not model (the transparent mode's other {@code /v1}
   * paths, Bedrock calls), the path the request was passed through to, without its query string.
   */
  private static String upstreamPath(RequestContext ctx) {
    String modelled = ctx.endpoint().upstreamPath();
    if (!modelled.isEmpty() || ctx.passthrough() == null) {
      return modelled;
    }
    String path = ctx.passthrough().upstreamPath();
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }
}
