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
        kv(LogFields.METHOD, ctx.request().method().name()),
        kv(LogFields.PATH, ctx.request().path()),
        kv(LogFields.STATUS, ctx.status()),
        kv(LogFields.TRACE_ID, ctx.traceId()),
        kv(LogFields.CLIENT_IP, ctx.clientIp()),
        kv(LogFields.ALIAS, ctx.alias() == null ? null : ctx.alias().name()),
        kv(LogFields.BACKEND, served == null ? null : served.backend().name()),
        kv(LogFields.MODEL, served == null ? null : served.model()),
        kv(LogFields.ATTEMPTS, ctx.attempts().size()),
        kv(LogFields.STREAM, ctx.stream()),
        kv(LogFields.DURATION_MS, ctx.elapsed().toMillis()),
        kv(LogFields.TTFB_MS, ttfb),
        kv(LogFields.BYTES_IN, ctx.rawBody() == null ? 0 : ctx.rawBody().length()),
        kv(LogFields.BYTES_OUT, ctx.bytesOut()),
        kv(LogFields.PROMPT_TOKENS, ctx.promptTokens() < 0 ? null : ctx.promptTokens()),
        kv(LogFields.COMPLETION_TOKENS, ctx.completionTokens() < 0 ? null : ctx.completionTokens()),
        kv(LogFields.ATTEMPT_TRAIL, trail.isEmpty() ? null : trail),
        kv(LogFields.DROPPED_EVENTS, ctx.droppedEvents() == 0 ? null : ctx.droppedEvents()),
        kv(LogFields.USAGE_PARTIAL, ctx.usagePartial() ? true : null),
        kv(LogFields.MIDSTREAM_BREAK, recovery == null ? null : recovery.firstBreak()),
        kv(LogFields.MIDSTREAM_CHARS, recovery == null || recovery.charsBeforeBreak() < 0
            ? null : recovery.charsBeforeBreak()),
        kv(LogFields.MIDSTREAM_ROUTES, recovery == null ? null : String.join(" > ", recovery.routes())),
        kv(LogFields.MIDSTREAM_RECOVERY, recovery == null ? null : recovery.outcome().label()),
        kv(LogFields.ROUTING_RULE, ctx.routingRule()),
        kv(LogFields.CLIENT_KEY, ctx.clientKey()),
        kv(LogFields.PASSTHROUGH, ctx.passthrough() == null ? null : true),
        kv(LogFields.ERROR, ctx.errorReason())};
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
