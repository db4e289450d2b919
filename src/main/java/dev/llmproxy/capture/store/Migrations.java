package dev.llmproxy.capture.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema as numbered migrations shipped in the jar, applied in order once each and remembered in
 * {@code schema_migrations}. The two dialects have the same tables and columns; they differ in column types and
 * in the full-text index (SQLite FTS5 over {@code search_text}; a PostgreSQL {@code tsvector} column with a GIN
 * index). New versions are appended here, never edited once released.
 *
 * <p>Indexes are few on purpose (each one costs every insert): time (lists, cursors, retention, stats), session
 * and trace id (the lookups a person makes). Alias, backend and status filters walk the time index.
 */
final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /** Serialises replicas migrating one PostgreSQL store at the same time. */
  private static final long POSTGRES_LOCK = 0x6C6C6D70726F7879L;

  record Migration(int version, String description, List<String> sqlite, List<String> postgres) {
    List<String> statements(Dialect dialect) {
      return dialect == Dialect.SQLITE ? sqlite : postgres;
    }
  }

  static final List<Migration> ALL = List.of(
      new Migration(1, "requests table, indexes, full-text search",
          List.of("""
              CREATE TABLE requests (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                started_at INTEGER NOT NULL,
                trace_id TEXT,
                session_id TEXT,
                client_ip TEXT,
                method TEXT,
                endpoint TEXT,
                protocol TEXT,
                alias TEXT,
                backend TEXT,
                model TEXT,
                status INTEGER NOT NULL,
                stream INTEGER NOT NULL,
                duration_ms INTEGER,
                ttfb_ms INTEGER,
                prompt_tokens INTEGER,
                completion_tokens INTEGER,
                attempts INTEGER NOT NULL,
                fallback INTEGER NOT NULL,
                error TEXT,
                search_text TEXT,
                record TEXT NOT NULL)""",
              "CREATE INDEX requests_by_time ON requests (started_at, id)",
              "CREATE INDEX requests_by_session ON requests (session_id, started_at)",
              "CREATE INDEX requests_by_trace ON requests (trace_id)",
              "CREATE VIRTUAL TABLE requests_fts USING fts5(search_text, content='requests', content_rowid='seq')",
              """
              CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests BEGIN
                INSERT INTO requests_fts (rowid, search_text) VALUES (new.seq, new.search_text);
              END""",
              """
              CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
                INSERT INTO requests_fts (requests_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
              END"""),
          List.of("""
              CREATE TABLE requests (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                started_at BIGINT NOT NULL,
                trace_id TEXT,
                session_id TEXT,
                client_ip TEXT,
                method TEXT,
                endpoint TEXT,
                protocol TEXT,
                alias TEXT,
                backend TEXT,
                model TEXT,
                status INTEGER NOT NULL,
                stream BOOLEAN NOT NULL,
                duration_ms BIGINT,
                ttfb_ms BIGINT,
                prompt_tokens BIGINT,
                completion_tokens BIGINT,
                attempts INTEGER NOT NULL,
                fallback BOOLEAN NOT NULL,
                error TEXT,
                search_text TEXT,
                search TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED,
                record TEXT NOT NULL)""",
              "CREATE INDEX requests_by_time ON requests (started_at, id)",
              "CREATE INDEX requests_by_session ON requests (session_id, started_at)",
              "CREATE INDEX requests_by_trace ON requests (trace_id)",
              "CREATE INDEX requests_search ON requests USING GIN (search)")));

  private Migrations() {}

  /** Applies what {@code connection}'s database lacks, in one transaction. @return the versions applied */
  static List<Integer> apply(Connection connection, Dialect dialect, long nowMillis) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement st = connection.createStatement()) {
      if (dialect == Dialect.POSTGRES) {
        st.execute("SELECT pg_advisory_xact_lock(" + POSTGRES_LOCK + ")");
      }
      st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          + "description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      Set<Integer> done = new HashSet<>();
      try (ResultSet rs = st.executeQuery("SELECT version FROM schema_migrations")) {
        while (rs.next()) {
          done.add(rs.getInt(1));
        }
      }
      List<Integer> applied = new java.util.ArrayList<>();
      for (Migration m : ALL) {
        if (done.contains(m.version())) {
          continue;
        }
        for (String sql : m.statements(dialect)) {
          st.execute(sql);
        }
        try (PreparedStatement record = connection.prepareStatement(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)")) {
          record.setInt(1, m.version());
          record.setString(2, m.description());
          record.setLong(3, nowMillis);
          record.executeUpdate();
        }
        applied.add(m.version());
      }
      connection.commit();
      if (!applied.isEmpty()) {
        LOG.info("capture store: applied schema migrations {} ({})", applied, dialect.id());
      }
      return applied;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  static int latest() {
    return ALL.get(ALL.size() - 1).version();
  }
}
