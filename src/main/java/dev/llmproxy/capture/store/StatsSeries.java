package dev.llmproxy.capture.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The store's requests as time series, for charts (the web UI's Overview): per time bucket, requests, errors,
 * latency and time-to-first-byte percentiles and tokens, in total, and requests, errors and tokens per alias and
 * per backend. Percentiles are computed here (nearest rank, as {@code stats}), so both stores give the same
 * numbers. Groups are bounded: the busiest {@value #MAX_GROUPS} aliases (backends) by name, the rest summed as
 * {@code "other"}, since an alias is whatever a client asked for.
 */
final class StatsSeries {

  static final int MAX_BUCKETS = 1000;
  static final int MAX_GROUPS = 12;
  static final String OTHER = "other";

  private final long since;
  private final long bucketMillis;
  private final int buckets;
  private final Bucketed total;
  private final Map<String, Bucketed> byAlias = new HashMap<>();
  private final Map<String, Bucketed> byBackend = new HashMap<>();

  private StatsSeries(long since, long until, long bucketMillis) {
    this.since = since;
    this.bucketMillis = bucketMillis;
    this.buckets = (int) ((until - since + bucketMillis - 1) / bucketMillis);
    this.total = new Bucketed(buckets, true);
  }

  /**
   * @param since first bucket's start, epoch millis (inclusive)
   * @param until end of the last bucket, epoch millis (exclusive)
   * @param bucketMillis bucket width; at most {@value #MAX_BUCKETS} buckets
   */
  static JsonObject query(DataSource readers, long since, long until, long bucketMillis) throws SQLException {
    if (bucketMillis <= 0 || until <= since || (until - since) / bucketMillis >= MAX_BUCKETS) {
      throw new IllegalArgumentException("a series needs since < until and at most " + MAX_BUCKETS + " buckets");
    }
    StatsSeries series = new StatsSeries(since, until, bucketMillis);
    StoreQueries.eachInWindow(readers, "r.started_at, r.alias, r.backend, r.status, r.error IS NOT NULL, "
        + "r.duration_ms, r.ttfb_ms, r.prompt_tokens, r.completion_tokens", since, until, series::add);
    return series.toJson(until);
  }

  /** The first and last {@code started_at} in the store, or null when it is empty. */
  static long[] range(DataSource readers) throws SQLException {
    try (Connection c = readers.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT MIN(started_at), MAX(started_at) FROM requests");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      long first = rs.getLong(1);
      return rs.wasNull() ? null : new long[] {first, rs.getLong(2)};
    }
  }

  private void add(ResultSet rs) throws SQLException {
    int i = (int) ((rs.getLong(1) - since) / bucketMillis);
    String alias = rs.getString(2) == null ? "none" : rs.getString(2);
    String backend = rs.getString(3) == null ? "none" : rs.getString(3);
    boolean error = rs.getInt(4) >= 400 || rs.getBoolean(5);
    long duration = nullable(rs, 6);
    long ttfb = nullable(rs, 7);
    long tokens = Math.max(0, nullable(rs, 8)) + Math.max(0, nullable(rs, 9));
    total.add(i, error, duration, ttfb, Math.max(0, nullable(rs, 8)), Math.max(0, nullable(rs, 9)));
    byAlias.computeIfAbsent(alias, k -> new Bucketed(buckets, false)).add(i, error, -1, -1, tokens, 0);
    byBackend.computeIfAbsent(backend, k -> new Bucketed(buckets, false)).add(i, error, -1, -1, tokens, 0);
  }

  private JsonObject toJson(long until) {
    JsonArray t = new JsonArray();
    for (int i = 0; i < buckets; i++) {
      t.add(since + i * bucketMillis);
    }
    return new JsonObject()
        .put("since", Instant.ofEpochMilli(since).toString())
        .put("until", Instant.ofEpochMilli(until).toString())
        .put("bucket_ms", bucketMillis)
        .put("t", t)
        .put("total", total.toJson())
        .put("by_alias", groups(byAlias))
        .put("by_backend", groups(byBackend));
  }

  private JsonObject groups(Map<String, Bucketed> all) {
    List<Map.Entry<String, Bucketed>> busiest = new ArrayList<>(all.entrySet());
    busiest.sort(Comparator.comparingLong((Map.Entry<String, Bucketed> e) -> -e.getValue().count())
        .thenComparing(Map.Entry::getKey));
    Map<String, Bucketed> kept = new LinkedHashMap<>();
    for (int i = 0; i < busiest.size(); i++) {
      Map.Entry<String, Bucketed> e = busiest.get(i);
      if (i < MAX_GROUPS) {
        kept.put(e.getKey(), e.getValue());
      } else {
        kept.computeIfAbsent(OTHER, k -> new Bucketed(buckets, false)).merge(e.getValue());
      }
    }
    JsonObject out = new JsonObject();
    kept.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.put(e.getKey(), e.getValue().toJson()));
    return out;
  }

  private static long nullable(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? -1 : v;
  }

  /** Per-bucket sums of one group; with latencies when {@code percentiles}. */
  private static final class Bucketed {
    final long[] requests;
    final long[] errors;
    final long[] promptTokens;
    final long[] completionTokens;
    final LongList[] durations;
    final LongList[] ttfbs;

    Bucketed(int buckets, boolean percentiles) {
      requests = new long[buckets];
      errors = new long[buckets];
      promptTokens = new long[buckets];
      completionTokens = new long[buckets];
      durations = percentiles ? new LongList[buckets] : null;
      ttfbs = percentiles ? new LongList[buckets] : null;
    }

    void add(int i, boolean error, long duration, long ttfb, long prompt, long completion) {
      requests[i]++;
      errors[i] += error ? 1 : 0;
      promptTokens[i] += prompt;
      completionTokens[i] += completion;
      if (durations != null) {
        if (duration >= 0) {
          (durations[i] == null ? durations[i] = new LongList() : durations[i]).add(duration);
        }
        if (ttfb >= 0) {
          (ttfbs[i] == null ? ttfbs[i] = new LongList() : ttfbs[i]).add(ttfb);
        }
      }
    }

    void merge(Bucketed other) {
      for (int i = 0; i < requests.length; i++) {
        requests[i] += other.requests[i];
        errors[i] += other.errors[i];
        promptTokens[i] += other.promptTokens[i];
        completionTokens[i] += other.completionTokens[i];
      }
    }

    long count() {
      return Arrays.stream(requests).sum();
    }

    JsonObject toJson() {
      JsonObject out = new JsonObject()
          .put("requests", array(requests))
          .put("errors", array(errors));
      if (durations == null) {
        return out.put("tokens", array(promptTokens));  // prompt + completion were summed into promptTokens
      }
      return out
          .put("p50_ms", percentiles(durations, 0.50))
          .put("p95_ms", percentiles(durations, 0.95))
          .put("ttfb_p50_ms", percentiles(ttfbs, 0.50))
          .put("ttfb_p95_ms", percentiles(ttfbs, 0.95))
          .put("prompt_tokens", array(promptTokens))
          .put("completion_tokens", array(completionTokens));
    }

    private static JsonArray array(long[] values) {
      JsonArray out = new JsonArray();
      for (long v : values) {
        out.add(v);
      }
      return out;
    }

    /** Nearest rank per bucket; null for a bucket without values (a gap in the chart, not a zero). */
    private static JsonArray percentiles(LongList[] lists, double p) {
      JsonArray out = new JsonArray();
      for (LongList list : lists) {
        if (list == null) {
          out.addNull();
          continue;
        }
        out.add(StoreQueries.percentile(list.sorted(), p));
      }
      return out;
    }
  }

  private static final class LongList {
    long[] values = new long[8];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }
}
