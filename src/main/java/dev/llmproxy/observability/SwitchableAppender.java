package dev.llmproxy.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The one appender a logger keeps for the life of the process, passing events to the current set of real
 * appenders. A new {@code logging:} section swaps that set under a write lock: logback refuses two live
 * appenders on one file, so the old ones must close before the new ones open, and without the lock lines logged
 * in between would be lost. Logging threads wait for the swap instead (milliseconds, on a config change only).
 */
final class SwitchableAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private List<Appender<ILoggingEvent>> targets = List.of();

  @Override
  protected void append(ILoggingEvent event) {
    lock.readLock().lock();
    try {
      for (Appender<ILoggingEvent> target : targets) {
        target.doAppend(event);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Stops (flushing) the current targets and installs the built ones, with appends held meanwhile. */
  void swap(Supplier<List<Appender<ILoggingEvent>>> build) {
    lock.writeLock().lock();
    try {
      targets.forEach(Appender::stop);
      targets = List.copyOf(build.get());
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void stop() {
    swap(List::of);
    super.stop();
  }
}
