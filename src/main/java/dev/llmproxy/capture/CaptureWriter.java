package dev.llmproxy.capture;

import dev.llmproxy.capture.loki.LokiPusher;
import dev.llmproxy.capture.store.RequestRow;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.CaptureSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture writer thread: takes finished exchanges off the queue in batches, builds and masks their records,
 * appends them to the dataset, inserts them into the store in one transaction per batch, hands them to Loki and
 * publishes their summaries on the event bus. A sink that fails loses the batch for that sink only, counted and
 * logged at most once a minute; the others carry on. Also runs the store's retention, by the gateway's clock.
 */
final class CaptureWriter {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureWriter.class);
  static final int BATCH = 256;
  static final Duration RETENTION_EVERY = Duration.ofHours(1);
  private static final Duration IDLE_POLL = Duration.ofMillis(500);
  static final Duration LINGER = Duration.ofMillis(100);

  private final Vertx vertx;
  private final BlockingQueue<FinishedExchange> queue;
  private final Supplier<CaptureSettings> settings;
  private final RequestStore store;
  private final LokiPusher loki;
  private final Clock clock;
  private final ThrottledLog problems;
  private final JsonlDataset dataset;
  private final Thread thread;
  private final AtomicLong built = new AtomicLong();
  private final AtomicLong buildFailed = new AtomicLong();
  private final AtomicLong jsonlWritten = new AtomicLong();
  private final AtomicLong jsonlFailed = new AtomicLong();
  private final AtomicLong storeWritten = new AtomicLong();
  private final AtomicLong storeFailed = new AtomicLong();
  private volatile boolean finishing;
  private long lastRetentionMillis = Long.MIN_VALUE;

  CaptureWriter(Vertx vertx, BlockingQueue<FinishedExchange> queue, Supplier<CaptureSettings> settings,
      RequestStore store, LokiPusher loki, Clock clock, ThrottledLog problems) {
    this.vertx = vertx;
    this.queue = queue;
    this.settings = settings;
    this.store = store;
    this.loki = loki;
    this.clock = clock;
    this.problems = problems;
    this.dataset = new JsonlDataset(clock, problems);
    this.thread = new Thread(this::run, "llm-proxy-capture-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    if (settings.get().enabled()) {
      connectStore();  // at once, so a store problem shows at start; otherwise with the first records
    }
    List<FinishedExchange> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        FinishedExchange first = queue.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          collect(batch);
          write(batch);
          batch.clear();
        } else if (finishing) {
          break;
        }
        housekeeping();
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | Error e) {
        batch.clear();
        problems.warn("writer", "capture: writer failed on a batch: {}", e.toString());
      }
    }
    dataset.close();  // fsync and close every file
  }

  /**
   * Fills {@code batch} with what is queued; when that is less than a full batch, lets more arrive for
   * {@link #LINGER} first. A transaction costs about as much as many rows (the WAL frames of every page it touched,
   * the FTS5 segment it flushes): at 3,000 requests a second, taken as they came (a few rows per transaction) a
   * record cost ~117 µs of CPU, with this wait ~62 µs (docs/benchmarks.md, "Traffic capture"). A record reaches
   * the store and the UI's live feed at most that much later. One sleep, not a poll per record: an offer does not wake
   * the writer for every request.
   */
  private void collect(List<FinishedExchange> batch) throws InterruptedException {
    queue.drainTo(batch, BATCH - batch.size());
    if (batch.size() < BATCH && !finishing) {
      Thread.sleep(LINGER.toMillis());
      queue.drainTo(batch, BATCH - batch.size());
    }
  }

  private void connectStore() {
    if (store == null) {
      return;
    }
    try {
      store.connect(clock.millis());
    } catch (SQLException | RuntimeException e) {
      problems.warn("store", "capture: store {} not reachable yet: {}; retrying with the next records",
          store.describe(), e.toString());
    }
  }

  private void write(List<FinishedExchange> batch) {
    CaptureSettings current = settings.get();
    List<CaptureRecord> records = new ArrayList<>(batch.size());
    for (FinishedExchange x : batch) {
      try {
        records.add(RecordBuilder.build(x));
        built.incrementAndGet();
      } catch (RuntimeException e) {
        buildFailed.incrementAndGet();
        problems.warn("build", "capture: could not build the record of trace id {}: {}", x.traceId(), e.toString());
      }
    }
    for (CaptureRecord r : records) {
      if (dataset.write(current, r)) {
        jsonlWritten.incrementAndGet();
      } else if (current.directory() != null) {
        jsonlFailed.incrementAndGet();
      }
    }
    if (store != null) {
      List<RequestRow> rows = records.stream().map(CaptureRecord::row).toList();
      try {
        store.insert(rows, clock.millis());
        storeWritten.addAndGet(rows.size());
        if (problems.clear("store")) {
          LOG.info("capture: store {} is writable again", store.describe());
        }
      } catch (SQLException | RuntimeException e) {
        storeFailed.addAndGet(rows.size());
        problems.warn("store", "capture: could not insert {} records into the store {}: {}; they are in the dataset "
            + "but not in the query API", rows.size(), store.describe(), e.toString());
      }
    }
    if (loki.enabled()) {
      loki.offer(LokiEntries.of(records, current.loki()));
    }
    for (CaptureRecord r : records) {
      JsonObject summary = r.row().summary();
      vertx.eventBus().publish(Capture.RECORDS_ADDRESS, summary);
    }
  }

  private void housekeeping() {
    CaptureSettings current = settings.get();
    int days = current.store().retentionDays();
    if (store == null || days <= 0) {
      return;
    }
    long now = clock.millis();
    if (lastRetentionMillis != Long.MIN_VALUE && now - lastRetentionMillis < RETENTION_EVERY.toMillis()) {
      return;
    }
    lastRetentionMillis = now;
    try {
      int deleted = store.deleteBefore(now - Duration.ofDays(days).toMillis(), now);
      if (deleted > 0) {
        LOG.info("capture: retention deleted {} requests older than {} days from the store", deleted, days);
      }
    } catch (SQLException | RuntimeException e) {
      lastRetentionMillis = Long.MIN_VALUE;  // try again at the next turn
      problems.warn("store", "capture: retention could not delete old rows from {}: {}", store.describe(),
          e.toString());
    }
  }

  /** Writes everything queued, then stops the thread. @return whether it finished before {@code deadline} */
  boolean finish(long deadlineNanos) {
    finishing = true;
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("capture: {} records still queued at the shutdown deadline", queue.size());
      thread.interrupt();
      return false;
    }
    return true;
  }

  long built() {
    return built.get();
  }

  Map<String, AtomicLong> written() {
    return Map.of("jsonl", jsonlWritten, "store", storeWritten);
  }

  Map<String, AtomicLong> failed() {
    return Map.of("jsonl", jsonlFailed, "store", storeFailed, "build", buildFailed);
  }
}
