package dev.llmproxy.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.logstash.logback.argument.StructuredArgument;

/**
 * {@code logging.format: text}: one human-readable line per event,
 * {@code 2025-01-01T10:00:00.123Z INFO  llmproxy.access - message key=value ...}. Structured fields that the
 * message did not already show are appended, so a text line carries the same facts as a JSON one; the whole line
 * is then masked by {@link LogMasking}.
 */
final class TextLineLayout extends LayoutBase<ILoggingEvent> {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(256);
    line.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ');
    String level = event.getLevel().toString();
    line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    line.append(event.getLoggerName()).append(" - ");
    String message = event.getFormattedMessage();
    line.append(message);
    Object[] args = event.getArgumentArray();
    if (args != null) {
      for (Object arg : args) {
        if (arg instanceof StructuredArgument sa) {
          String rendered = sa.toString();
          if (message == null || !message.contains(rendered)) {
            line.append(' ').append(rendered);
          }
        }
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(CoreConstants.LINE_SEPARATOR).append(ThrowableProxyUtil.asString(thrown));
    }
    return LogMasking.mask(line.toString()) + CoreConstants.LINE_SEPARATOR;
  }
}
