package dev.llmproxy.capture;

import dev.llmproxy.capture.loki.LokiPusher;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.relay.StreamBreak;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic capture: every proxied request that passed authentication becomes one record (docs/capture.md), written
 * to a JSONL dataset, indexed in a store and pushed to Loki, all off the event loops.
 *
 * <p>Path of a record: {@link #stage()} opens a {@link CaptureTap} for the request, right after authentication;
 * the relay feeds it as one of its observers ({@link #observer()}); when the request finishes (one of its finish
 * actions, so exactly once, whatever the path) {@link #submit} copies what the record needs off the request
 * ({@link FinishedExchange}) into a bounded queue without blocking. A request the relay never reached (refused by
 * a stage, every route failed) is captured from the request alone. When the queue is full the record is dropped,
 * counted and warned about at most once a minute, and the request is not slowed. One writer thread
 * ({@link CaptureWriter}) builds, masks and writes records in batches.
 *
 * <p>Shared by every event loop; thread-safe. Survives reloads: {@link #reconfigure} applies a new
 * {@code capture:} section, except the store and the queue size, which are fixed at start.
 */
public final class Capture {

  private static final Logger LOG = LoggerFactory.getLogger(Capture.class);
  /** Event bus address of each written record's summary (the list-row shape), for live views. */
  public static final String RECORDS_ADDRESS = "llmproxy.capture.records";
  private static final RelayObserver NOT_CAPTURED = new RelayObserver() {};

  private final BlockingQueue<FinishedExchange> queue;
  private final RequestStore store;
  private final LokiPusher loki;
  private final CaptureWriter writer;
  private final ThrottledLog problems;
  private final AtomicLong dropped = new AtomicLong();
  /**
   * The tap of each request whose record is not submitted yet, by request (identity): the relay's observer finds
   * its request's tap here, and shutdown waits until it is empty.
   */
  private final Map<RequestContext, CaptureTap> open = new ConcurrentHashMap<>();
  private final Object openLock = new Object();
  private volatile CaptureSettings settings;
  private volatile boolean closed;
  private Boolean closeResult;

  private Capture(Vertx vertx, CaptureSettings initial, Clock clock, MeterRegistry registry) {
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
    open.put(ctx, new CaptureTap(pinned.maxBodyBytes()));
    ctx.onFinish(() -> submit(ctx));
  }

  /**
   * The relay's observer for capture: a request's tap, or an observer that does nothing for a request that is not
   * captured. The tap never throws into the relay: a fault of capture's own is logged (at most once a minute) and
   * leaves the answer as it is, since capture must never break proxying.
   */
  public RelayObserver.Factory observer() {
    return ctx -> {
      CaptureTap tap = open.get(ctx);
      return tap == null ? NOT_CAPTURED : new Guarded(tap, ctx.traceId(), problems);
    };
  }

  /** A tap behind a guard: what it throws stays here (no allocation per call: this runs for every event). */
  record Guarded(CaptureTap tap, String traceId, ThrottledLog problems) implements RelayObserver {

    private void failed(RuntimeException e) {
      problems.warn("tap", "capture: the tap of trace id {} failed, its record may be incomplete (the answer is "
          + "not affected): {}", traceId, e.toString());
    }

    @Override
    public void requestSent(Candidate route, Buffer body) {
      try {
        tap.requestSent(route, body);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void event(SseEvent upstream, Buffer toClient) {
      try {
        tap.event(upstream, toClient);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void body(Buffer upstream, Buffer toClient) {
      try {
        tap.body(upstream, toClient);
      } catch (RuntimeException e) {
        failed(e);
      }
    }

    @Override
    public void recovering(StreamBreak broke) {
      try {
        tap.recovering(broke);
      } catch (RuntimeException e) {
        failed(e);
      }
    }
  }

  /**
   * The request finished: hands its record to the writer, or drops and counts it if the queue is full. A finish
   * action, so it runs once per request, after the answer (or the error) was sent: one record per request.
   */
  private void submit(RequestContext ctx) {
    CaptureTap tap = open.remove(ctx);
    if (tap == null) {
      return;
    }
    try {
      tap.seal();
      FinishedExchange exchange = FinishedExchange.of(ctx, tap, ctx.snapshot().capture());
      if (!queue.offer(exchange)) {
        dropped.incrementAndGet();
        problems.warn("queue", "capture: queue full ({} records), dropped a record (trace id {}); the writer cannot "
            + "keep up: see llmproxy_capture_dropped_total", queue.size() + queue.remainingCapacity(), ctx.traceId());
      }
    } catch (RuntimeException e) {
      // Capture must never break the request's finish (the other finish actions, the access log, the metrics).
      dropped.incrementAndGet();
      problems.warn("submit", "capture: could not take the record of trace id {}: {}", ctx.traceId(), e.toString());
    } finally {
      if (open.isEmpty()) {
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
      while (!open.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("capture: {} requests were still running at shutdown; their records are lost", open.size());
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
