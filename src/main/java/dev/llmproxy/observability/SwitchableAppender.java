package dev.llmproxy.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.Flushable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The one appender a logger keeps for the life of the process, passing events to the current set of real
 * appenders (console, files), which the {@link LogWriter} thread runs: a logging thread only queues the line. A new
 * {@code logging:} section swaps that set under a write lock, after every queued line has been written: logback
 * refuses two live appenders on one file, so the old ones must close before the new ones open, and without the lock
 * lines logged in between would be lost. Logging threads wait for the swap instead (milliseconds, on a config change
 * only).
 */
final class SwitchableAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final LogWriter writer = LogWriter.get();
  private volatile List<Appender<ILoggingEvent>> targets = List.of();

  @Override
  protected void append(ILoggingEvent event) {
    if (writer.isWriterThread()) {
      deliver(event);  // an appender logging about itself: queueing would wait on this very thread
      return;
    }
    // What the line says is fixed now (message, arguments, thread name), not when the writer gets to it.
    event.prepareForDeferredProcessing();
    lock.readLock().lock();
    try {
      if (!targets.isEmpty()) {
        writer.submit(event, this);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** On the writer thread: the line to every current target (each applies its own filters). */
  void deliver(ILoggingEvent event) {
    for (Appender<ILoggingEvent> target : targets) {
      target.doAppend(event);
    }
  }

  /** On the writer thread, after a batch: the targets that buffer their output write it out. */
  void flushTargets() {
    for (Appender<ILoggingEvent> target : targets) {
      if (target instanceof Flushable flushable) {
        try {
          flushable.flush();
        } catch (IOException e) {
          addError("could not flush " + target.getName(), e);
        }
      }
    }
  }

  /** Writes out what is queued, stops (flushing) the current targets and installs the built ones. */
  void swap(Supplier<List<Appender<ILoggingEvent>>> build) {
    lock.writeLock().lock();
    try {
      writer.drain();
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
