package dev.llmproxy.capture.loki;

import dev.llmproxy.config.CaptureSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes captured records to Grafana Loki's push API ({@code POST /loki/api/v1/push}, JSON, optionally gzip).
 * Entries are buffered (bounded: past {@code 10 × batch_size} new entries are dropped and counted) and sent in
 * batches of {@code batch_size}, or after {@code batch_wait} for a smaller batch. One batch is in flight at a
 * time, so each stream's entries arrive in order. A batch that fails with a network error, 429 or 5xx is
 * retried with exponential backoff and jitter up to {@code retry_max} times, then dropped and counted; any other
 * 4xx is dropped at once (resending cannot help). Local capture never waits for Loki.
 *
 * <p>All state lives on one Vert.x context; {@link #offer} and {@link #configure} may be called from any thread.
 */
public final class LokiPusher {

  private static final Logger LOG = LoggerFactory.getLogger(LokiPusher.class);
  static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final int BUFFERED_BATCHES = 10;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** One log line of a stream identified by its labels. */
  public record Entry(Map<String, String> labels, long epochMillis, String line) {}

  private final Vertx vertx;
  private final Context context;
  private final WebClient client;
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong pushes = new AtomicLong();
  private volatile CaptureSettings.Loki settings = CaptureSettings.LOKI_OFF;
  private boolean sending;
  private long timer = -1;
  private boolean closing;
  private CompletableFuture<Void> flushed;
  private long lastWarnMillis = Long.MIN_VALUE;

  public LokiPusher(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(5000)
        .setIdleTimeout(60)
        .setUserAgent("llm-proxy"));
  }

  /** Applies (new) settings; entries already buffered are sent with them. */
  public void configure(CaptureSettings.Loki next) {
    settings = next;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  public CaptureSettings.Loki settings() {
    return settings;
  }

  /** Queues entries for pushing; never blocks. */
  public void offer(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try {
      context.runOnContext(v -> add(entries));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      drop(entries.size(), "Vert.x is closed");
    }
  }

  private void add(List<Entry> entries) {
    int max = Math.max(1, settings.batchSize()) * BUFFERED_BATCHES;
    int lost = 0;
    for (Entry e : entries) {
      if (buffer.size() >= max) {
        lost++;
      } else {
        buffer.add(e);
      }
    }
    if (lost > 0) {
      drop(lost, "the buffer is full (" + max + " entries): Loki is slower than the traffic or unreachable");
    }
    maybeSend();
  }

  /** Entries Loki accepted. */
  public long sent() {
    return sent.get();
  }

  /** Entries given up on: buffer full, retries exhausted, or refused by Loki. */
  public long dropped() {
    return dropped.get();
  }

  /** Push requests made, retries included. */
  public long pushes() {
    return pushes.get();
  }

  /**
   * Sends everything buffered now (no batch wait), and completes when nothing is left or in flight. Retries
   * still apply; the caller bounds the wait.
   */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      context.runOnContext(v -> {
        closing = true;
        flushed = done;
        maybeSend();
        completeIfIdle();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.complete(null);  // Vert.x is already closed: nothing can be sent any more
    }
    return done;
  }

  public void close() {
    client.close();
  }

  private void maybeSend() {
    if (sending || buffer.isEmpty()) {
      return;
    }
    if (closing || buffer.size() >= settings.batchSize()) {
      cancelTimer();
      sendBatch();
    } else if (timer < 0) {
      timer = vertx.setTimer(Math.max(1, settings.batchWait().toMillis()), id -> {
        timer = -1;
        if (!sending && !buffer.isEmpty()) {
          sendBatch();
        }
      });
    }
  }

  private void sendBatch() {
    List<Entry> batch = new ArrayList<>(Math.min(buffer.size(), settings.batchSize()));
    while (!buffer.isEmpty() && batch.size() < settings.batchSize()) {
      batch.add(buffer.poll());
    }
    sending = true;
    push(batch, 0);
  }

  private void push(List<Entry> batch, int retriesDone) {
    CaptureSettings.Loki s = settings;
    if (s.url() == null) {
      finished(batch, false, "no loki.url configured");
      return;
    }
    pushes.incrementAndGet();
    vertx.executeBlocking(() -> encode(batch, s.useGzip()), false)
        .compose(body -> request(s, body))
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
            finished(batch, true, null);
            return;
          }
          int status = ar.succeeded() ? ar.result().statusCode() : 0;
          String why = ar.succeeded() ? "HTTP " + status + " " + excerpt(ar.result().bodyAsString())
              : ar.cause().toString();
          boolean retryable = status == 0 || status == 429 || status >= 500;
          if (retryable && retriesDone < s.retryMax()) {
            long delay = backoff(retriesDone);
            LOG.debug("loki push failed ({}), retry {} of {} in {} ms", why, retriesDone + 1, s.retryMax(), delay);
            vertx.setTimer(delay, id -> push(batch, retriesDone + 1));
          } else {
            finished(batch, false, (retryable ? "after " + s.retryMax() + " retries: " : "refused: ") + why);
          }
        }));
  }

  private Future<HttpResponse<Buffer>> request(CaptureSettings.Loki s, Buffer body) {
    var request = client.postAbs(s.url())
        .timeout(REQUEST_TIMEOUT.toMillis())
        .putHeader("Content-Type", "application/json");
    if (s.useGzip()) {
      request.putHeader("Content-Encoding", "gzip");
    }
    if (s.authToken() != null) {
      request.putHeader("Authorization", "Bearer " + s.authToken().value());
    } else if (s.username() != null) {
      String pair = s.username() + ":" + (s.password() == null ? "" : s.password().value());
      request.putHeader("Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    if (s.tenantId() != null) {
      request.putHeader("X-Scope-OrgID", s.tenantId());
    }
    return request.sendBuffer(body);
  }

  private void finished(List<Entry> batch, boolean ok, String failure) {
    if (ok) {
      sent.addAndGet(batch.size());
      if (lastWarnMillis != Long.MIN_VALUE) {
        lastWarnMillis = Long.MIN_VALUE;
        LOG.info("loki: pushing again ({})", settings.url());
      }
    } else {
      drop(batch.size(), failure);
    }
    sending = false;
    maybeSend();
    completeIfIdle();
  }

  private void drop(int entries, String why) {
    dropped.addAndGet(entries);
    long now = System.currentTimeMillis();
    if (lastWarnMillis == Long.MIN_VALUE || now - lastWarnMillis >= 60_000) {
      lastWarnMillis = now;
      LOG.warn("loki: dropped {} entries, {}; local capture is not affected (at most one such line a minute)",
          entries, why);
    }
  }

  private void completeIfIdle() {
    if (flushed != null && !sending && buffer.isEmpty()) {
      flushed.complete(null);
      flushed = null;
      closing = false;
    }
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Exponential with equal jitter: half the step fixed, half random, so retrying replicas spread out. */
  static long backoff(int retriesDone) {
    long step = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(retriesDone, 16));
    return step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
  }

  /** The push body: entries grouped into streams by their labels, each stream in time order. */
  static Buffer encode(List<Entry> batch, boolean gzip) throws IOException {
    Map<Map<String, String>, List<Entry>> streams = new LinkedHashMap<>();
    for (Entry e : batch) {
      streams.computeIfAbsent(e.labels(), k -> new ArrayList<>()).add(e);
    }
    JsonArray out = new JsonArray();
    streams.forEach((labels, entries) -> {
      entries.sort(java.util.Comparator.comparingLong(Entry::epochMillis));
      JsonArray values = new JsonArray();
      long lastNanos = 0;
      for (Entry e : entries) {
        // Distinct nanosecond timestamps: Loki drops a second entry with the same time and the same line.
        long nanos = Math.max(e.epochMillis() * 1_000_000L, lastNanos + 1);
        lastNanos = nanos;
        values.add(new JsonArray().add(Long.toString(nanos)).add(e.line()));
      }
      out.add(new JsonObject().put("stream", new JsonObject(new LinkedHashMap<>(labels))).put("values", values));
    });
    byte[] json = new JsonObject().put("streams", out).toBuffer().getBytes();
    if (!gzip) {
      return Buffer.buffer(json);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(bytes)) {
      zip.write(json);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    String s = body.strip();
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
