package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.pipeline.RequestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;

/**
 * Request-scoped log lines: every line about a request carries its {@code trace_id} (and its alias once known)
 * as explicit structured fields. Thread-local MDC would not do: one event loop thread serves many requests
 * interleaved, and a request hops threads across callbacks.
 *
 * <p>{@code fields} are {@code kv(...)} structured arguments; a trailing {@link Throwable} is logged as the
 * exception.
 */
final class RequestLog {

  private RequestLog() {}

  public static void debug(Logger log, RequestContext ctx, String message, Object... fields) {
    if (log.isDebugEnabled()) {
      log.debug(message, with(ctx, fields));
    }
  }

  public static void info(Logger log, RequestContext ctx, String message, Object... fields) {
    if (log.isInfoEnabled()) {
      log.info(message, with(ctx, fields));
    }
  }

  public static void warn(Logger log, RequestContext ctx, String message, Object... fields) {
    log.warn(message, with(ctx, fields));
  }

  public static void error(Logger log, RequestContext ctx, String message, Object... fields) {
    log.error(message, with(ctx, fields));
  }

  /** The request's identifying fields followed by {@code fields}. */
  static Object[] with(RequestContext ctx, Object... fields) {
    List<Object> all = new ArrayList<>(fields.length + 2);
    all.add(kv(LogFields.TRACE_ID, ctx.traceId()));
    if (ctx.alias() != null) {
      all.add(kv(LogFields.ALIAS, ctx.alias().name()));
    }
    all.addAll(Arrays.asList(fields));
    return all.toArray();
  }
}
