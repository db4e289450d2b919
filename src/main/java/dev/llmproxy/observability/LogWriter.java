package dev.llmproxy.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that writes log lines: every logging thread (event loops above all: one access line per request)
 * hands its lines over through a bounded queue, and this thread encodes them, writes them to the console and the
 * files, and flushes once per batch.
 *
 * <p>Why not logback's {@code AsyncAppender}: it wakes its writer thread for every line (a futex call on the event
 * loop, then a context switch), one thread per appender, and its appenders flush every line (a write system call
 * per line and file). Profiled at ~10,000 requests/s on one core, waking and switching to the log threads took a
 * fifth of the CPU. Here a logging thread only enqueues; the writer sleeps {@value #BATCH_PAUSE_MILLIS} ms after
 * each batch, so lines arrive in batches, and longer (up to {@value #MAX_IDLE_MILLIS} ms) while nothing is logged.
 * A line is thus on disk within about {@value #BATCH_PAUSE_MILLIS} ms, not at once: a crash can lose the last few,
 * as with any asynchronous appender. A full queue wakes the writer, and the logging thread waits for room: lines
 * are never dropped.
 */
final class LogWriter {

  static final int QUEUE_SIZE = 8192;
  static final long BATCH_PAUSE_MILLIS = 10;
  static final long MAX_IDLE_MILLIS = 50;
  private static final int MAX_BATCH = 1024;

  /** A line and the switch whose appenders write it. */
  private record Line(ILoggingEvent event, SwitchableAppender to) {}

  /** Everything queued before it has been written and flushed when it is reached. */
  private record Barrier(CountDownLatch passed) {}

  private static final LogWriter INSTANCE = new LogWriter();

  private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
  private final Thread thread;

  private LogWriter() {
    thread = new Thread(this::run, "llm-proxy-log-writer");
    thread.setDaemon(true);
    thread.start();
  }

  static LogWriter get() {
    return INSTANCE;
  }

  boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

  /** Queues a line (prepared for deferred processing by the caller); waits only while the queue is full. */
  void submit(ILoggingEvent event, SwitchableAppender to) {
    Line line = new Line(event, to);
    if (queue.offer(line)) {
      if (queue.size() > QUEUE_SIZE / 2) {
        LockSupport.unpark(thread);  // a burst: write it now rather than after the pause
      }
      return;
    }
    LockSupport.unpark(thread);
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(line);
        break;
      } catch (InterruptedException e) {
        interrupted = true;  // a line is never dropped; the interrupt is kept for the caller
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every line queued so far has been written and flushed (a logging reconfiguration, the exit). */
  void drain() {
    if (isWriterThread()) {
      return;
    }
    Barrier barrier = new Barrier(new CountDownLatch(1));
    try {
      queue.put(barrier);
      LockSupport.unpark(thread);
      if (!barrier.passed().await(10, TimeUnit.SECONDS)) {
        System.err.println("llm-proxy: log lines still queued after 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Object> batch = new ArrayList<>(MAX_BATCH);
    Map<SwitchableAppender, Boolean> written = new IdentityHashMap<>();
    long idle = TimeUnit.MILLISECONDS.toNanos(BATCH_PAUSE_MILLIS);
    while (true) {
      if (queue.drainTo(batch, MAX_BATCH) == 0) {
        LockSupport.parkNanos(idle);
        idle = Math.min(idle * 2, TimeUnit.MILLISECONDS.toNanos(MAX_IDLE_MILLIS));
        continue;
      }
      for (Object item : batch) {
        if (item instanceof Line line) {
          write(line);
          written.put(line.to(), Boolean.TRUE);
        } else if (item instanceof Barrier barrier) {
          flush(written);
          barrier.passed().countDown();
        }
      }
      batch.clear();
      flush(written);
      idle = TimeUnit.MILLISECONDS.toNanos(BATCH_PAUSE_MILLIS);
      if (queue.isEmpty()) {
        LockSupport.parkNanos(idle);  // let the next lines gather into one batch
      }
    }
  }

  private static void write(Line line) {
    try {
      line.to().deliver(line.event());
    } catch (RuntimeException e) {
      System.err.println("llm-proxy: a log line could not be written: " + e);
    }
  }

  private static void flush(Map<SwitchableAppender, Boolean> written) {
    for (SwitchableAppender to : written.keySet()) {
      try {
        to.flushTargets();
      } catch (RuntimeException e) {
        System.err.println("llm-proxy: log output could not be flushed: " + e);
      }
    }
    written.clear();
  }
}
