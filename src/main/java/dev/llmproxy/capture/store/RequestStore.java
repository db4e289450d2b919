package dev.llmproxy.capture.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.config.CaptureSettings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The queryable index of captured requests: SQLite (one file, WAL) or PostgreSQL, same schema (see
 * {@link Migrations}). Writes come from one thread only, the capture writer, over one connection, in batches
 * of one transaction each; reads (the query API, export) use a small pool beside it, which WAL allows in
 * SQLite. Every method blocks: call from the writer thread or a worker, never from an event loop.
 *
 * <p>Opening never fails: a database that cannot be reached yet (PostgreSQL down, SQLite directory missing)
 * is connected to, and migrated, on the next write; reads fail with an {@link SQLException} until then.
 */
public final class RequestStore implements AutoCloseable {

  static final int READ_POOL_SIZE = 4;
  static final int BUSY_TIMEOUT_MS = 5000;
  private static final String COLUMNS = "id, started_at, trace_id, session_id, client_ip, method, endpoint, "
      + "protocol, alias, backend, model, status, stream, duration_ms, ttfb_ms, prompt_tokens, completion_tokens, "
      + "attempts, fallback, error, routing_rule, client_key, passthrough, route_protocol, legs, recoveries";

  private final Dialect dialect;
  private final CaptureSettings.Store settings;
  private final String jdbcUrl;
  private final HikariDataSource readers;
  private final StoreQueries queries;
  private Connection writer;
  private volatile boolean migrated;

  private RequestStore(CaptureSettings.Store settings) {
    this.settings = settings;
    this.dialect = settings.type() == CaptureSettings.StoreType.SQLITE ? Dialect.SQLITE : Dialect.POSTGRES;
    this.jdbcUrl = dialect == Dialect.SQLITE ? "jdbc:sqlite:" + settings.path() : settings.jdbcUrl();
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("capture-store-read");
    pool.setJdbcUrl(jdbcUrl);
    pool.setDataSourceProperties(properties());
    pool.setMaximumPoolSize(READ_POOL_SIZE);
    pool.setMinimumIdle(0);
    pool.setConnectionTimeout(5000);
    pool.setInitializationFailTimeout(-1);  // a database that is down now may be up at the first query
    if (dialect == Dialect.SQLITE) {
      pool.setConnectionInitSql("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
    }
    this.readers = new HikariDataSource(pool);
    this.queries = new StoreQueries(dialect, readers, COLUMNS);
  }

  /** @return the configured store, or empty for {@code type: none} */
  public static Optional<RequestStore> open(CaptureSettings.Store settings) {
    return settings.type() == CaptureSettings.StoreType.NONE ? Optional.empty()
        : Optional.of(new RequestStore(settings));
  }

  public String describe() {
    return settings.identity();
  }

  public String type() {
    return dialect.id();
  }

  private Properties properties() {
    Properties p = new Properties();
    if (dialect == Dialect.POSTGRES) {
      if (settings.user() != null) {
        p.setProperty("user", settings.user());
      }
      if (settings.password() != null) {
        p.setProperty("password", settings.password().value());
      }
      p.setProperty("ApplicationName", "llm-proxy");
      p.setProperty("connectTimeout", "5");
    }
    return p;
  }

  /** Connects the writer and migrates the schema, once; again after a failure. Writer thread only. */
  public void connect(long nowMillis) throws SQLException {
    if (writer != null) {
      return;
    }
    createSqliteDirectory();
    Connection c = DriverManager.getConnection(jdbcUrl, properties());
    try {
      if (dialect == Dialect.SQLITE) {
        try (Statement st = c.createStatement()) {
          st.execute("PRAGMA journal_mode=WAL");
          st.execute("PRAGMA synchronous=NORMAL");
          st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
        }
      }
      Migrations.apply(c, dialect, nowMillis);
      c.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
    writer = c;
    migrated = true;
  }

  private void createSqliteDirectory() throws SQLException {
    if (dialect == Dialect.SQLITE && settings.path().getParent() != null) {
      try {
        Files.createDirectories(settings.path().getParent());
      } catch (java.io.IOException e) {
        throw new SQLException("cannot create " + settings.path().getParent() + ": " + e, e);
      }
    }
  }

  /** Inserts {@code rows} in one transaction; a row whose id is already stored is skipped. Writer thread only. */
  public void insert(List<RequestRow> rows, long nowMillis) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    connect(nowMillis);
    String sql = dialect.insertPrefix() + "(" + COLUMNS + ", search_text, record) VALUES ("
        + "?, ".repeat(27) + "?)" + dialect.insertSuffix();
    try (PreparedStatement ps = writer.prepareStatement(sql)) {
      for (RequestRow r : rows) {
        int i = 1;
        ps.setString(i++, r.id());
        ps.setLong(i++, r.startedAt());
        ps.setString(i++, text(r.traceId()));
        ps.setString(i++, text(r.sessionId()));
        ps.setString(i++, text(r.clientIp()));
        ps.setString(i++, text(r.method()));
        ps.setString(i++, text(r.endpoint()));
        ps.setString(i++, text(r.protocol()));
        ps.setString(i++, text(r.alias()));
        ps.setString(i++, text(r.backend()));
        ps.setString(i++, text(r.model()));
        ps.setInt(i++, r.status());
        ps.setBoolean(i++, r.stream());
        count(ps, i++, r.durationMs());
        count(ps, i++, r.ttfbMs());
        count(ps, i++, r.promptTokens());
        count(ps, i++, r.completionTokens());
        ps.setInt(i++, r.attempts());
        ps.setBoolean(i++, r.fallback());
        ps.setString(i++, text(r.error()));
        ps.setString(i++, text(r.routing().routingRule()));
        ps.setString(i++, text(r.routing().clientKey()));
        ps.setBoolean(i++, r.routing().passthrough());
        ps.setString(i++, text(r.routing().routeProtocol()));
        ps.setString(i++, r.routing().legs());  // JSON text: a NUL in it is escaped
        ps.setString(i++, r.routing().recoveries());
        ps.setString(i++, text(r.searchText()));
        ps.setString(i, text(r.record()));
        ps.addBatch();
      }
      ps.executeBatch();
      writer.commit();
    } catch (SQLException | RuntimeException e) {
      dropWriter();
      throw e;
    }
  }

  /** Retention: deletes rows that started before {@code cutoffMillis}. Writer thread only. @return rows deleted */
  public int deleteBefore(long cutoffMillis, long nowMillis) throws SQLException {
    connect(nowMillis);
    try (PreparedStatement ps = writer.prepareStatement("DELETE FROM requests WHERE started_at < ?")) {
      ps.setLong(1, cutoffMillis);
      int n = ps.executeUpdate();
      writer.commit();
      return n;
    } catch (SQLException | RuntimeException e) {
      dropWriter();
      throw e;
    }
  }

  private void dropWriter() {
    if (writer != null) {
      try {
        writer.rollback();
        writer.close();
      } catch (SQLException ignored) {
        // the connection is broken anyway; the next write reconnects
      }
      writer = null;
    }
  }

  /** Newest first, {@code limit} rows from {@code cursor} (null: the newest), as list rows. */
  public Page requests(RequestFilter filter, String cursor, int limit) throws SQLException {
    ready();
    return queries.requests(filter, cursor == null ? null : Cursor.decode(cursor), limit);
  }

  /** The whole record line of one request. */
  public Optional<String> record(String id) throws SQLException {
    ready();
    return queries.record(id);
  }

  /** Sessions, most recently active first; {@code filter} picks the requests they are made of. */
  public Page sessions(RequestFilter filter, String cursor, int limit) throws SQLException {
    ready();
    return queries.sessions(filter, cursor == null ? null : Cursor.decode(cursor), limit);
  }

  /** Counts, error rate, latency percentiles and tokens over {@code [since, until)}, total and per alias/backend. */
  public JsonObject stats(long since, long until) throws SQLException {
    ready();
    return queries.stats(since, until);
  }

  /**
   * Requests, errors, latency/TTFB percentiles and tokens per time bucket over {@code [since, until)}, total and
   * per alias and backend (see {@link StatsSeries}); for charts.
   */
  public JsonObject series(long since, long until, long bucketMillis) throws SQLException {
    ready();
    return StatsSeries.query(readers, since, until, bucketMillis);
  }

  /** The first and last {@code started_at} stored (epoch millis), or empty when there is no row. */
  public Optional<long[]> range() throws SQLException {
    ready();
    return Optional.ofNullable(StatsSeries.range(readers));
  }

  /** Every matching record line, oldest first, streamed to {@code out}. @return how many */
  public long export(RequestFilter filter, Consumer<String> out) throws SQLException {
    ready();
    return queries.export(filter, out);
  }

  /** Reads before the first write: migrate through a read connection, so an empty store answers empty lists. */
  private void ready() throws SQLException {
    if (migrated) {
      return;
    }
    createSqliteDirectory();
    try (Connection c = readers.getConnection()) {
      Migrations.apply(c, dialect, System.currentTimeMillis());
    }
    migrated = true;
  }

  @Override
  public void close() {
    dropWriter();
    readers.close();
  }

  /** PostgreSQL text cannot hold NUL characters; JSON escapes them, but plain columns must not carry them. */
  static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
  }

  private static void count(PreparedStatement ps, int index, long value) throws SQLException {
    if (value < 0) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  Path sqlitePath() {
    return settings.path();
  }
}
