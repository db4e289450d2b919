package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Exactly one line per proxied request, written when it ends, whatever the outcome. */
public final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("llmproxy.access");

  private AccessLog() {}

  public static void write(RequestContext ctx) {
    var served = ctx.servedBy();
    long ttfb = ctx.firstByteNanos() == 0 ? -1 : (ctx.firstByteNanos() - ctx.startNanos()) / 1_000_000;
    String trail = ctx.attempts().stream().map(AttemptRecord::describe).collect(Collectors.joining("; "));
    LOG.info("{} {} {}",
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
        kv(LogFields.DURATION_MS, ctx.elapsedMillis()),
        kv(LogFields.TTFB_MS, ttfb),
        kv(LogFields.BYTES_IN, ctx.rawBody() == null ? 0 : ctx.rawBody().length()),
        kv(LogFields.BYTES_OUT, ctx.bytesOut()),
        kv(LogFields.ATTEMPT_TRAIL, trail.isEmpty() ? null : trail),
        kv(LogFields.ERROR, ctx.errorReason()));
  }
}
