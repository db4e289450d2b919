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
              "CREATE INDEX requests_search ON requests USING GIN (search)")),
      // The list row's routing (RequestRow.Routing), filled in for rows already stored from their records.
      new Migration(2, "routing columns: routing_rule, client_key, passthrough, route_protocol, legs, recoveries",
          List.of(
              "ALTER TABLE requests ADD COLUMN routing_rule TEXT",
              "ALTER TABLE requests ADD COLUMN client_key TEXT",
              "ALTER TABLE requests ADD COLUMN passthrough INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE requests ADD COLUMN route_protocol TEXT",
              "ALTER TABLE requests ADD COLUMN legs TEXT",
              "ALTER TABLE requests ADD COLUMN recoveries TEXT",
              """
              UPDATE requests SET
                routing_rule = json_extract(record, '$.routing_rule'),
                client_key = json_extract(record, '$.client_key'),
                passthrough = coalesce(json_extract(record, '$.passthrough'), 0),
                route_protocol = json_extract(record, '$.route_protocol'),
                legs = CASE WHEN json_type(record, '$.legs') = 'array' THEN json(json_extract(record, '$.legs')) END,
                recoveries = CASE WHEN json_type(record, '$.recoveries') = 'array' THEN
                  (SELECT json_group_array(json(json_remove(value, '$.request_body')))
                   FROM json_each(record, '$.recoveries')) END
              WHERE json_valid(record)"""),
          List.of(
              """
              ALTER TABLE requests ADD COLUMN routing_rule TEXT, ADD COLUMN client_key TEXT,
                ADD COLUMN passthrough BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN route_protocol TEXT,
                ADD COLUMN legs TEXT, ADD COLUMN recoveries TEXT""",
              // Each record parsed once as json. A body may hold an escaped NUL (\u0000), which PostgreSQL refuses to
              // parse; made U+FFFD first (still valid JSON, and only bodies hold one: the fields read are names).
              """
              UPDATE requests SET
                routing_rule = x.j ->> 'routing_rule',
                client_key = x.j ->> 'client_key',
                passthrough = coalesce((x.j ->> 'passthrough')::boolean, FALSE),
                route_protocol = x.j ->> 'route_protocol',
                legs = CASE WHEN json_typeof(x.j -> 'legs') = 'array' THEN (x.j -> 'legs')::text END,
                recoveries = CASE WHEN json_typeof(x.j -> 'recoveries') = 'array' THEN
                  (SELECT coalesce(json_agg(json_build_object('broken_route', r -> 'broken_route',
                     'reason', r -> 'reason', 'delivered_chars', r -> 'delivered_chars',
                     'continued_on', r -> 'continued_on')), '[]'::json)::text
                   FROM json_array_elements(x.j -> 'recoveries') r) END
              FROM (SELECT seq, replace(record, E'\\\\u0000', E'\\\\ufffd')::json AS j FROM requests) x
              WHERE requests.seq = x.seq""")));

  private Migrations() {}

  /** Applies what {@code connection}'s database lacks, in one transaction. @return the versions applied */
  static List<Integer> apply(Connection connection, Dialect dialect, long nowMillis) throws SQLException {
    return apply(connection, dialect, nowMillis, ALL);
  }

  /** Applies those of {@code migrations} (a prefix of {@link #ALL}: a test's older schema) the database lacks. */
  static List<Integer> apply(Connection connection, Dialect dialect, long nowMillis, List<Migration> migrations)
      throws SQLException {
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
      for (Migration m : migrations) {
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
