package dev.llmproxy.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one logger writes, so a test can assert on the log line an operator would read. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name) {
    this.logger = (Logger) LoggerFactory.getLogger(name);
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture(source.getName());
  }

  /** A logger by name, e.g. {@code llmproxy.access}. */
  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  /**
   * Waits until a line whose message and structured arguments (rendered {@code key=value}) contain
   * {@code needle} is logged. Log lines are written after the response ended, so a test may get there first.
   */
  public String awaitLine(String needle, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      synchronized (appender.list) {
        for (ILoggingEvent e : appender.list) {
          String rendered = rendered(e);
          if (rendered.contains(needle)) {
            return rendered;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no log line containing \"" + needle + "\" within " + timeout + ": " + lines());
  }

  /** How many lines so far contain {@code needle} (in their message or structured arguments). */
  public long count(String needle) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> rendered(e).contains(needle)).count();
    }
  }

  private static String rendered(ILoggingEvent e) {
    return e.getFormattedMessage() + " " + java.util.Arrays.toString(e.getArgumentArray());
  }

  /** Formatted messages, structured arguments rendered as {@code key=value}. */
  public List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
