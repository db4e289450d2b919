package dev.llmproxy.capture;

import dev.llmproxy.capture.loki.LokiPusher;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic capture: every proxied request that passed authentication becomes one record (docs/capture.md), written
 * to a JSONL dataset, indexed in a store and pushed to Loki, all off the event loops.
 *
 * <p>Path of a record: {@link #stage()} gives the request a {@link CaptureTap} that the relay feeds; the pipeline's
 * finish step calls {@link #submit}, which copies what the record needs off the request ({@link FinishedExchange})
 * into a bounded queue without blocking; when the queue is full the record is dropped, counted and warned about
 * at most once a minute, and the request is not slowed. One writer thread ({@link CaptureWriter}) builds, masks
 * and writes records in batches.
 *
 * <p>Shared by every event loop; thread-safe. Survives reloads: {@link #reconfigure} applies a new
 * {@code capture:} section, except the store and the queue size, which are fixed at start.
 */
public final class Capture {

  private static final Logger LOG = LoggerFactory.getLogger(Capture.class);
  /** Event bus address of each written record's summary (the list-row shape), for live views. */
  public static final String RECORDS_ADDRESS = "llmproxy.capture.records";

  private final Clock clock;
  private final BlockingQueue<FinishedExchange> queue;
  private final RequestStore store;
  private final LokiPusher loki;
  private final CaptureWriter writer;
  private final ThrottledLog problems;
  private final AtomicLong dropped = new AtomicLong();
  /** Requests holding a tap whose record is not submitted yet: shutdown waits for them. */
  private final AtomicInteger open = new AtomicInteger();
  private final Object openLock = new Object();
  private volatile CaptureSettings settings;
  private volatile boolean closed;
  private Boolean closeResult;

  private Capture(Vertx vertx, CaptureSettings initial, Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.settings = initial;
    this.queue = new ArrayBlockingQueue<>(initial.queueSize());
    this.problems = new ThrottledLog(LOG, clock);
    this.store = RequestStore.open(initial.store()).orElse(null);
    this.loki = new LokiPusher(vertx);
    loki.configure(initial.loki());
    this.writer = new CaptureWriter(vertx, queue, this::settings, store, loki, clock, problems);
    CaptureMetrics.bind(registry, this, writer, loki);
  }

  /** Starts the writer thread; the store is connected (and migrated) by that thread, never here. */
  public static Capture start(Vertx vertx, CaptureSettings initial, Clock clock, MeterRegistry registry) {
    Capture capture = new Capture(vertx, initial, clock, registry);
    capture.writer.start();
    if (initial.enabled()) {
      LOG.info("capture on: dataset {}, store {}, loki {}",
          initial.directory() == null ? "off" : initial.directory(),
          capture.store == null ? "off" : capture.store.describe(),
          initial.loki().enabled() ? initial.loki().url() : "off");
    }
    return capture;
  }

  /** The pipeline stage that opens a request's capture (when capture is on in the request's snapshot). */
  public Stage stage() {
    return new StartCapture(this);
  }

  void open(RequestContext ctx) {
    CaptureSettings pinned = ctx.snapshot().capture();
    if (!pinned.enabled() || closed) {
      return;
    }
    open.incrementAndGet();
    ctx.tap(new CaptureTap(pinned.maxBodyBytes()));
  }

  /** Pipeline finish step: hands the request's record to the writer, or drops and counts it if the queue is full. */
  public void submit(RequestContext ctx) {
    if (!(ctx.tap() instanceof CaptureTap tap)) {
      return;
    }
    try {
      FinishedExchange exchange = FinishedExchange.of(ctx, tap, ctx.snapshot().capture(), clock.millis());
      if (!queue.offer(exchange)) {
        dropped.incrementAndGet();
        problems.warn("queue", "capture: queue full ({} records), dropped a record (trace id {}); the writer cannot "
            + "keep up: see llmproxy_capture_dropped_total", queue.size() + queue.remainingCapacity(), ctx.traceId());
      }
    } catch (RuntimeException e) {
      // Capture must never break the request's finish (access log, metrics already ran; the response is sent).
      dropped.incrementAndGet();
      problems.warn("submit", "capture: could not take the record of trace id {}: {}", ctx.traceId(), e.toString());
    } finally {
      ctx.tap(dev.llmproxy.pipeline.ExchangeTap.NONE);
      if (open.decrementAndGet() == 0) {
        synchronized (openLock) {
          openLock.notifyAll();
        }
      }
    }
  }

  /** Applies a reloaded {@code capture:} section (the store and queue size stay as started). */
  public void reconfigure(CaptureSettings next) {
    CaptureSettings before = settings;
    settings = next;
    loki.configure(next.loki());
    if (before.enabled() != next.enabled()) {
      LOG.info("capture {}", next.enabled() ? "on" : "off");
    }
  }

  CaptureSettings settings() {
    return settings;
  }

  /** The store the query API reads, when one is configured. */
  public Optional<RequestStore> store() {
    return Optional.ofNullable(store);
  }

  public long dropped() {
    return dropped.get();
  }

  public int queued() {
    return queue.size();
  }

  /**
   * Finishes capture for shutdown: waits for requests still holding a tap to submit their record, lets the
   * writer write everything queued, fsyncs the dataset, pushes what Loki has buffered and closes the store; all
   * within {@code timeout}. Idempotent. Blocks: call from a shutdown thread or a worker.
   *
   * @return true when every record was written in time
   */
  public synchronized boolean close(Duration timeout) {
    if (closeResult != null) {
      return closeResult;
    }
    closeResult = closeOnce(timeout);
    return closeResult;
  }

  private boolean closeOnce(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean complete = awaitOpenTaps(deadline);
    closed = true;
    complete &= writer.finish(deadline);
    try {
      loki.flush().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      complete = false;
      LOG.warn("capture: loki still had entries to push at shutdown ({} dropped in all)", loki.dropped());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      complete = false;
    } catch (java.util.concurrent.ExecutionException e) {
      complete = false;
    }
    loki.close();
    if (store != null) {
      store.close();
    }
    LOG.info("capture: closed ({} records written, {} dropped on a full queue{})", writer.built(), dropped.get(),
        complete ? "" : "; shutdown timeout reached before everything was written");
    return complete;
  }

  private boolean awaitOpenTaps(long deadline) {
    synchronized (openLock) {
      while (open.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("capture: {} requests were still running at shutdown; their records are lost", open.get());
          return false;
        }
        try {
          openLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }
}
