package dev.llmproxy.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records what one logger writes, so a test can assert on the log line an operator would read. A waiting test is
 * woken by each line as it is logged (no polling).
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  /** Guarded by itself; notified on every line. */
  private final List<ILoggingEvent> events = new ArrayList<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      synchronized (events) {
        events.add(event);
        events.notifyAll();
      }
    }
  };

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
  public String awaitLine(String needle, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (events) {
      while (true) {
        for (; seen < events.size(); seen++) {
          String rendered = rendered(events.get(seen));
          if (rendered.contains(needle)) {
            return rendered;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no log line containing \"" + needle + "\" within " + timeout + ": " + lines());
        }
        events.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** How many lines so far contain {@code needle} (in their message or structured arguments). */
  public long count(String needle) {
    synchronized (events) {
      return events.stream().filter(e -> rendered(e).contains(needle)).count();
    }
  }

  private static String rendered(ILoggingEvent e) {
    return e.getFormattedMessage() + " " + Arrays.toString(e.getArgumentArray());
  }

  /** Formatted messages, structured arguments rendered as {@code key=value}. */
  public List<String> lines() {
    synchronized (events) {
      return events.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
