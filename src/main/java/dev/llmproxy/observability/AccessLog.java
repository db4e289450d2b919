package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.StreamRecovery;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly one line per proxied request, written when it ends, whatever the outcome, on the logger
 * {@value LogSetup#ACCESS_LOGGER} (its own file, {@code requests.log}). Failed requests (5xx) are logged at WARN,
 * so they also land in {@code errors.log}. At DEBUG, a dump of the client's headers and body follows; it goes
 * through the same masking as every line.
 */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);
  /** A debug dump shows the start of a body; enough to see what was asked, bounded for huge prompts. */
  static final int DUMP_BODY_CHARS = 4096;

  private AccessLog() {}

  public static void write(RequestContext ctx) {
    var served = ctx.servedBy();
    long ttfb = ctx.timeToFirstByte() == null ? -1 : ctx.timeToFirstByte().toMillis();
    String trail = ctx.attempts().stream().map(AttemptRecord::describe).collect(Collectors.joining("; "));
    StreamRecovery recovery = ctx.streamRecovery();
    Object[] fields = {
        AccessField.of(LogFields.METHOD, ctx.request().method().name()),
        AccessField.of(LogFields.PATH, ctx.request().path()),
        AccessField.of(LogFields.STATUS, ctx.status()),
        AccessField.of(LogFields.TRACE_ID, ctx.traceId()),
        AccessField.of(LogFields.CLIENT_IP, ctx.clientIp()),
        AccessField.of(LogFields.ALIAS, ctx.alias() == null ? null : ctx.alias().name()),
        AccessField.of(LogFields.BACKEND, served == null ? null : served.backend().name()),
        AccessField.of(LogFields.MODEL, served == null ? null : served.model()),
        AccessField.of(LogFields.ATTEMPTS, ctx.attempts().size()),
        AccessField.of(LogFields.STREAM, ctx.stream()),
        AccessField.of(LogFields.DURATION_MS, ctx.elapsed().toMillis()),
        AccessField.of(LogFields.TTFB_MS, ttfb),
        AccessField.of(LogFields.BYTES_IN, ctx.rawBody() == null ? 0 : ctx.rawBody().length()),
        AccessField.of(LogFields.BYTES_OUT, ctx.bytesOut()),
        AccessField.of(LogFields.PROMPT_TOKENS, ctx.promptTokens() < 0 ? null : ctx.promptTokens()),
        AccessField.of(LogFields.COMPLETION_TOKENS, ctx.completionTokens() < 0 ? null : ctx.completionTokens()),
        AccessField.of(LogFields.ATTEMPT_TRAIL, trail.isEmpty() ? null : trail),
        AccessField.of(LogFields.DROPPED_EVENTS, ctx.droppedEvents() == 0 ? null : ctx.droppedEvents()),
        AccessField.of(LogFields.USAGE_PARTIAL, ctx.usagePartial() ? true : null),
        AccessField.of(LogFields.MIDSTREAM_BREAK, recovery == null ? null : recovery.firstBreak()),
        AccessField.of(LogFields.MIDSTREAM_CHARS, recovery == null || recovery.charsBeforeBreak() < 0
            ? null : recovery.charsBeforeBreak()),
        AccessField.of(LogFields.MIDSTREAM_ROUTES, recovery == null ? null : String.join(" > ", recovery.routes())),
        AccessField.of(LogFields.MIDSTREAM_RECOVERY, recovery == null ? null : recovery.outcome().label()),
        AccessField.of(LogFields.ROUTING_RULE, ctx.routingRule()),
        AccessField.of(LogFields.CLIENT_KEY, ctx.clientKey()),
        AccessField.of(LogFields.PASSTHROUGH, ctx.passthrough() == null ? null : true),
        AccessField.of(LogFields.ERROR, ctx.errorReason())};
    if (ctx.status() >= 500) {
      LOG.warn("{} {} {}", fields);
    } else {
      LOG.info("{} {} {}", fields);
    }
    if (LOG.isDebugEnabled()) {
      dump(ctx);
    }
  }

  private static void dump(RequestContext ctx) {
    Map<String, String> headers = new LinkedHashMap<>();
    ctx.request().headers().forEach(h -> headers.merge(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue(),
        (a, b) -> a + ", " + b));
    String body = ctx.rawBody() == null ? null : ctx.rawBody().toString(StandardCharsets.UTF_8);
    if (body != null && body.length() > DUMP_BODY_CHARS) {
      body = body.substring(0, DUMP_BODY_CHARS) + "…";
    }
    LOG.debug("request dump", kv(LogFields.TRACE_ID, ctx.traceId()), kv(LogFields.HEADERS, headers),
        kv(LogFields.BODY, body));
  }
}
