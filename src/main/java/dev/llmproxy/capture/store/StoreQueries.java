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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The read side of {@link RequestStore}: one SQL text per question, the same for both dialects but a few words. */
final class StoreQueries {

  private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx");
  private static final Pattern STATUS_CODE = Pattern.compile("[1-5][0-9][0-9]");

  private final Dialect dialect;
  private final DataSource readers;
  private final String columns;

  StoreQueries(Dialect dialect, DataSource readers, String columns) {
    this.dialect = dialect;
    this.readers = readers;
    this.columns = columns;
  }

  /** A WHERE clause over table alias {@code r} and its parameters. */
  private final class Where {
    final StringBuilder sql = new StringBuilder(" WHERE 1=1");
    final List<Object> args = new ArrayList<>();

    Where(RequestFilter f) {
      eq("alias", f.alias());
      eq("backend", f.backend());
      eq("model", f.model());
      eq("session_id", f.session());
      eq("trace_id", f.traceId());
      if (f.stream() != null) {
        sql.append(" AND r.stream = ?");
        args.add(f.stream());
      }
      if (f.since() != null) {
        sql.append(" AND r.started_at >= ?");
        args.add(f.since());
      }
      if (f.until() != null) {
        sql.append(" AND r.started_at < ?");
        args.add(f.until());
      }
      status(f.status());
      List<String> words = f.q() == null ? List.of() : SearchText.queryWords(f.q());
      if (!words.isEmpty()) {
        sql.append(" AND ").append(dialect.searchCondition());
        args.add(dialect.searchArgument(words));
      }
    }

    private void eq(String column, String value) {
      if (value != null) {
        sql.append(" AND r.").append(column).append(" = ?");
        args.add(value);
      }
    }

    private void status(String status) {
      if (status == null) {
        return;
      }
      String s = status.trim().toLowerCase(Locale.ROOT);
      if (s.equals("error")) {
        sql.append(" AND (r.status >= 400 OR r.error IS NOT NULL)");
      } else if (STATUS_CLASS.matcher(s).matches()) {
        int base = (s.charAt(0) - '0') * 100;
        sql.append(" AND r.status >= ? AND r.status < ?");
        args.add(base);
        args.add(base + 100);
      } else if (STATUS_CODE.matcher(s).matches()) {
        sql.append(" AND r.status = ?");
        args.add(Integer.parseInt(s));
      } else {
        throw new IllegalArgumentException("status must be a code (429), a class (5xx) or \"error\", got \""
            + status + "\"");
      }
    }

    void bind(PreparedStatement ps) throws SQLException {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
    }
  }

  Page requests(RequestFilter filter, Cursor after, int limit) throws SQLException {
    Where where = new Where(filter);
    if (after != null) {
      where.sql.append(" AND (r.started_at < ? OR (r.started_at = ? AND r.id < ?))");
      where.args.addAll(List.of(after.at(), after.at(), after.key()));
    }
    String sql = "SELECT " + prefixed(columns) + " FROM requests r" + where.sql
        + " ORDER BY r.started_at DESC, r.id DESC LIMIT " + (limit + 1);
    List<JsonObject> rows = new ArrayList<>();
    Cursor next = null;
    try (Connection c = readers.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      where.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        RequestRow last = null;
        while (rs.next()) {
          if (rows.size() == limit) {
            next = new Cursor(last.startedAt(), last.id());  // one row more than asked for: there is a next page
            break;
          }
          last = row(rs);
          rows.add(last.summary());
        }
      }
    }
    return new Page(rows, next == null ? null : next.encode());
  }

  Optional<String> record(String id) throws SQLException {
    try (Connection c = readers.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT record FROM requests WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  Page sessions(RequestFilter filter, Cursor after, int limit) throws SQLException {
    Where where = new Where(filter);
    where.sql.append(" AND r.session_id IS NOT NULL");
    StringBuilder sql = new StringBuilder("SELECT r.session_id, MIN(r.started_at), MAX(r.started_at), COUNT(*), "
        + "SUM(r.prompt_tokens), SUM(r.completion_tokens), "
        + "SUM(CASE WHEN r.status >= 400 OR r.error IS NOT NULL THEN 1 ELSE 0 END), "
        + dialect.distinctList("r.alias") + " FROM requests r" + where.sql + " GROUP BY r.session_id");
    List<Object> args = new ArrayList<>(where.args);
    if (after != null) {
      sql.append(" HAVING MAX(r.started_at) < ? OR (MAX(r.started_at) = ? AND r.session_id < ?)");
      args.addAll(List.of(after.at(), after.at(), after.key()));
    }
    sql.append(" ORDER BY MAX(r.started_at) DESC, r.session_id DESC LIMIT ").append(limit + 1);
    List<JsonObject> rows = new ArrayList<>();
    String next = null;
    try (Connection c = readers.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        long lastAt = 0;
        String lastId = null;
        while (rs.next()) {
          if (rows.size() == limit) {
            next = new Cursor(lastAt, lastId).encode();
            break;
          }
          lastId = rs.getString(1);
          lastAt = rs.getLong(3);
          String aliases = rs.getString(8);
          rows.add(new JsonObject()
              .put("session_id", lastId)
              .put("first_at", Instant.ofEpochMilli(rs.getLong(2)).toString())
              .put("last_at", Instant.ofEpochMilli(lastAt).toString())
              .put("requests", rs.getLong(4))
              .put("prompt_tokens", nullableLong(rs, 5))
              .put("completion_tokens", nullableLong(rs, 6))
              .put("errors", rs.getLong(7))
              .put("aliases", aliases == null ? new JsonArray()
                  : new JsonArray(Arrays.stream(aliases.split(",")).sorted().toList())));
        }
      }
    }
    return new Page(rows, next);
  }

  /** One row of a window scan. */
  @FunctionalInterface
  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * Reads {@code columns} of every request that started in {@code [since, until)}, oldest first, fetched in
   * batches (statistics and chart series aggregate them here, the same way for both stores).
   */
  static void eachInWindow(DataSource readers, String columns, long since, long until, RowReader reader)
      throws SQLException {
    String sql = "SELECT " + columns + " FROM requests r WHERE r.started_at >= ? AND r.started_at < ?"
        + " ORDER BY r.started_at";
    try (Connection c = readers.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, since);
      ps.setLong(2, until);
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }

  /** Nearest rank: the smallest value with at least {@code p} of the values at or below it; null without values. */
  static Long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** Percentiles are computed here rather than in SQL, which SQLite lacks: same numbers from both stores. */
  JsonObject stats(long since, long until) throws SQLException {
    Aggregate total = new Aggregate();
    Map<String, Aggregate> byAlias = new LinkedHashMap<>();
    Map<String, Aggregate> byBackend = new LinkedHashMap<>();
    eachInWindow(readers, "r.alias, r.backend, r.status, r.error IS NOT NULL, r.duration_ms, r.prompt_tokens, "
        + "r.completion_tokens", since, until, rs -> {
          String alias = rs.getString(1) == null ? "none" : rs.getString(1);
          String backend = rs.getString(2) == null ? "none" : rs.getString(2);
          boolean error = rs.getInt(3) >= 400 || rs.getBoolean(4);
          long duration = rs.getLong(5);
          long prompt = rs.getLong(6);
          long completion = rs.getLong(7);
          for (Aggregate a : List.of(total, byAlias.computeIfAbsent(alias, k -> new Aggregate()),
              byBackend.computeIfAbsent(backend, k -> new Aggregate()))) {
            a.add(error, duration, prompt, completion);
          }
        });
    JsonArray aliases = new JsonArray();
    byAlias.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> aliases.add(new JsonObject().put("alias", e.getKey()).mergeIn(e.getValue().toJson())));
    JsonArray backends = new JsonArray();
    byBackend.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> backends.add(new JsonObject().put("backend", e.getKey()).mergeIn(e.getValue().toJson())));
    return new JsonObject()
        .put("since", Instant.ofEpochMilli(since).toString())
        .put("until", Instant.ofEpochMilli(until).toString())
        .put("total", total.toJson())
        .put("by_alias", aliases)
        .put("by_backend", backends);
  }

  long export(RequestFilter filter, Consumer<String> out) throws SQLException {
    Where where = new Where(filter);
    String sql = "SELECT r.record FROM requests r" + where.sql + " ORDER BY r.started_at, r.id";
    long n = 0;
    try (Connection c = readers.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);  // PostgreSQL streams rows with a fetch size only inside a transaction
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(500);
        where.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.accept(rs.getString(1));
            n++;
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(autoCommit);
      }
    }
    return n;
  }

  /** Counts and latencies of one group. */
  private static final class Aggregate {
    long requests;
    long errors;
    long promptTokens;
    long completionTokens;
    long[] durations = new long[64];

    void add(boolean error, long duration, long prompt, long completion) {
      if (requests == durations.length) {
        durations = Arrays.copyOf(durations, durations.length * 2);
      }
      durations[(int) requests++] = duration;
      errors += error ? 1 : 0;
      promptTokens += prompt;
      completionTokens += completion;
    }

    JsonObject toJson() {
      long[] sorted = Arrays.copyOf(durations, (int) requests);
      Arrays.sort(sorted);
      return new JsonObject()
          .put("requests", requests)
          .put("errors", errors)
          .put("error_rate", requests == 0 ? 0.0 : Math.round(errors * 10000.0 / requests) / 10000.0)
          .put("p50_ms", percentile(sorted, 0.50))
          .put("p95_ms", percentile(sorted, 0.95))
          .put("prompt_tokens", promptTokens)
          .put("completion_tokens", completionTokens);
    }
  }

  static RequestRow row(ResultSet rs) throws SQLException {
    return new RequestRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
        rs.getInt(12), rs.getBoolean(13), orMinusOne(rs, 14), orMinusOne(rs, 15), orMinusOne(rs, 16),
        orMinusOne(rs, 17), rs.getInt(18), rs.getBoolean(19), rs.getString(20), new RequestRow.Routing(
            rs.getString(21), rs.getString(22), rs.getBoolean(23), rs.getString(24), rs.getString(25),
            rs.getString(26)), null, null);
  }

  private static long orMinusOne(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? -1 : v;
  }

  private static Long nullableLong(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static String prefixed(String columns) {
    return "r." + columns.replace(", ", ", r.");
  }
}
