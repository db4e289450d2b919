package dev.llmproxy.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.CaptureSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every capture store must do, run against each real database: {@link SqliteStoreIT} (always) and
 * {@link PostgresStoreIT} (a private PostgreSQL server). One suite, so the two cannot drift apart.
 */
abstract class RequestStoreContract {

  static final long T0 = 1_767_225_600_000L;  // 2026-01-01T00:00:00Z

  /** Settings of a new, empty database for one test. */
  abstract CaptureSettings.Store freshStore();

  RequestStore store;
  private CaptureSettings.Store settings;

  @BeforeEach
  void open() throws SQLException {
    settings = freshStore();
    store = RequestStore.open(settings).orElseThrow();
    store.connect(T0);
  }

  @AfterEach
  void close() {
    store.close();
  }

  static RequestRow row(String id, long at, String alias, String backend, int status, String session, String text,
      long durationMs, long promptTokens) {
    String record = new JsonObject().put("v", 1).put("id", id).put("alias", alias).put("text", text).encode();
    return new RequestRow(id, at, "trace-" + id, session, "127.0.0.1", "POST", "/chat/completions", "openai", alias,
        backend, "model-" + alias, status, id.endsWith("s"), durationMs, durationMs / 4, promptTokens, 5, 1,
        false, status >= 400 ? "failed: " + status : null, null, SearchText.index(text), record);
  }

  private List<String> ids(Page page) {
    return page.items().stream().map(o -> o.getString("id")).toList();
  }

  @Test
  void rowsReadBackAsListRowsAndWholeRecords() throws SQLException {
    RequestRow r = row("a1", T0 + 5, "gpt", "openai", 200, "s1", "hello there", 120, 7);
    store.insert(List.of(r), T0);

    JsonObject listed = store.requests(RequestFilter.ALL, null, 10).items().get(0);
    assertEquals(r.summary(), listed);
    assertEquals("2026-01-01T00:00:00.005Z", listed.getString("started_at"));
    assertEquals(30, listed.getLong("ttfb_ms"));
    assertEquals(r.record(), store.record("a1").orElseThrow());
    assertTrue(store.record("nope").isEmpty());
  }

  @Test
  void unknownCountsStayNullAndAnIdIsStoredOnce() throws SQLException {
    RequestRow r = new RequestRow("n1", T0, null, null, null, "POST", "/messages", "anthropic", "claude", null,
        null, 401, false, 3, -1, -1, -1, 0, false, "bad key", null, "", "{\"v\":1}");
    store.insert(List.of(r), T0);
    store.insert(List.of(r), T0);  // a replayed batch

    Page page = store.requests(RequestFilter.ALL, null, 10);
    assertEquals(1, page.items().size());
    JsonObject listed = page.items().get(0);
    assertNull(listed.getValue("ttfb_ms"));
    assertNull(listed.getValue("prompt_tokens"));
    assertNull(listed.getValue("backend"));
    assertEquals(r.summary(), listed);
  }

  @Test
  void migrationsAreVersionedAndRunOnce() throws SQLException {
    store.insert(List.of(row("m1", T0, "gpt", "openai", 200, "s", "x", 1, 1)), T0);
    try (RequestStore second = RequestStore.open(settings).orElseThrow()) {
      second.connect(T0 + 1);  // a restart, or another replica: nothing to apply, data kept
      assertEquals(1, second.requests(RequestFilter.ALL, null, 10).items().size());
    }
    assertEquals(2, Migrations.latest());
  }

  /** A stream finished on a second route, chosen by a rule for a named key, translated for its first route. */
  static final String RECOVERED_RECORD = new JsonObject().put("v", 1).put("id", "r1")
      .put("routing_rule", "long-answers").put("client_key", "team-b").put("passthrough", false)
      .put("route_protocol", "anthropic")
      .put("legs", new JsonArray()
          .add(new JsonObject().put("alias", "m").put("backend", "first").put("model", "m1"))
          .add(new JsonObject().put("alias", "m").put("backend", "second").put("model", "m2")))
      .put("recoveries", new JsonArray().add(new JsonObject()
          .put("broken_route", new JsonObject().put("alias", "m").put("backend", "first").put("model", "m1"))
          .put("reason", "stream stalled").put("delivered_chars", 42)
          .put("continued_on", new JsonObject().put("alias", "m").put("backend", "second").put("model", "m2"))
          .put("request_body", new JsonObject().put("model", "m2").put("prefill", "a long prompt \u0000"))))
      .encode();

  private static void assertRecoveredRouting(JsonObject listed) {
    assertEquals("long-answers", listed.getString("routing_rule"));
    assertEquals("team-b", listed.getString("client_key"));
    assertFalse(listed.getBoolean("passthrough"));
    assertEquals("anthropic", listed.getString("route_protocol"));
    JsonObject record = new JsonObject(RECOVERED_RECORD);
    assertEquals(record.getJsonArray("legs"), listed.getJsonArray("legs"));
    JsonObject recovery = record.getJsonArray("recoveries").getJsonObject(0);
    recovery.remove("request_body");
    assertEquals(new JsonArray().add(recovery), listed.getJsonArray("recoveries"), "without the continuation's body");
  }

  @Test
  void routingColumnsReadBackInListRows() throws SQLException {
    JsonObject record = new JsonObject(RECOVERED_RECORD);
    JsonObject recovery = record.getJsonArray("recoveries").getJsonObject(0);
    recovery.remove("request_body");
    RequestRow.Routing routing = new RequestRow.Routing("long-answers", "team-b", false, "anthropic",
        record.getJsonArray("legs").encode(), new JsonArray().add(recovery).encode());
    RequestRow r = row("r1", T0, "m", "second", 200, "s", "x", 1, 1);
    store.insert(List.of(new RequestRow(r.id(), r.startedAt(), r.traceId(), r.sessionId(), r.clientIp(),
        r.method(), r.endpoint(), r.protocol(), r.alias(), r.backend(), r.model(), r.status(), r.stream(),
        r.durationMs(), r.ttfbMs(), r.promptTokens(), r.completionTokens(), r.attempts(), r.fallback(), r.error(),
        routing, r.searchText(), RECOVERED_RECORD)), T0);
    JsonObject listed = store.requests(RequestFilter.ALL, null, 1).items().get(0);
    assertRecoveredRouting(listed);

    store.insert(List.of(row("plain", T0 + 1, "m", "first", 200, "s", "x", 1, 1)), T0);
    JsonObject plain = store.requests(RequestFilter.ALL, null, 1).items().get(0);
    assertNull(plain.getValue("legs"), "a row that does not know its legs says null, not []");
    assertNull(plain.getValue("recoveries"));
    assertFalse(plain.getBoolean("passthrough"));
  }

  @Test
  void aRowStoredBeforeTheRoutingColumnsReadsThemFromItsRecord() throws SQLException {
    CaptureSettings.Store older = freshStore();
    Dialect dialect = older.type() == CaptureSettings.StoreType.SQLITE ? Dialect.SQLITE : Dialect.POSTGRES;
    String url = dialect == Dialect.SQLITE ? "jdbc:sqlite:" + older.path() : older.jdbcUrl();
    java.util.Properties login = new java.util.Properties();
    if (older.user() != null) {
      login.setProperty("user", older.user());
    }
    if (dialect == Dialect.SQLITE) {
      try {
        java.nio.file.Files.createDirectories(older.path().getParent());
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, login)) {
      Migrations.apply(c, dialect, T0, Migrations.ALL.subList(0, 1));  // the schema as version 1 left it
      try (java.sql.Statement st = c.createStatement()) {
        st.executeUpdate("INSERT INTO requests (id, started_at, status, stream, attempts, fallback, record) VALUES "
            + "('r1', " + T0 + ", 200, " + (dialect == Dialect.SQLITE ? "1, 1, 0" : "TRUE, 1, FALSE") + ", '"
            + RECOVERED_RECORD.replace("'", "''") + "'), ('old', " + (T0 + 1) + ", 200, "
            + (dialect == Dialect.SQLITE ? "0, 1, 0" : "FALSE, 1, FALSE") + ", '{\"v\":1,\"id\":\"old\"}')");
      }
    }
    try (RequestStore migrated = RequestStore.open(older).orElseThrow()) {
      migrated.connect(T0 + 2);
      List<JsonObject> rows = migrated.requests(RequestFilter.ALL, null, 10).items();
      assertEquals(List.of("old", "r1"), rows.stream().map(o -> o.getString("id")).toList());
      assertRecoveredRouting(rows.get(1));
      JsonObject old = rows.get(0);
      assertNull(old.getValue("legs"), "a record from before legs were recorded");
      assertNull(old.getValue("routing_rule"));
      assertFalse(old.getBoolean("passthrough"));
      assertEquals(RECOVERED_RECORD, migrated.record("r1").orElseThrow(), "the record itself is untouched");
    }
  }

  @Test
  void fullTextFindsRowsContainingEveryWordWhateverTheCase() throws SQLException {
    store.insert(List.of(
        row("f1", T0 + 1, "gpt", "openai", 200, "s", "The walrus sings about cabbages", 1, 1),
        row("f2", T0 + 2, "gpt", "openai", 200, "s", "A walrus; no vegetables here", 1, 1),
        row("f3", T0 + 3, "gpt", "openai", 200, "s", "cabbages and kings", 1, 1),
        row("f4", T0 + 4, "claude", "anthropic", 200, "s", "tool_call(get_weather) {\"city\":\"Zürich\"}", 1, 1)),
        T0);

    assertEquals(List.of("f2", "f1"), ids(store.requests(filter("walrus", null, null), null, 10)));
    assertEquals(List.of("f1"), ids(store.requests(filter("WALRUS Cabbages", null, null), null, 10)));
    assertEquals(List.of("f3", "f1"), ids(store.requests(filter("cabbages", null, null), null, 10)));
    assertEquals(List.of("f4"), ids(store.requests(filter("zürich weather", null, null), null, 10)));
    assertEquals(List.of(), ids(store.requests(filter("walrus kings", null, null), null, 10)));
    assertEquals(List.of(), ids(store.requests(filter("cabbages", "claude", null), null, 10)));
    assertEquals(List.of("f4", "f3", "f2", "f1"), ids(store.requests(filter("  ", null, null), null, 10)));
  }

  @Test
  void filtersCombine() throws SQLException {
    store.insert(List.of(
        row("x1", T0 + 10, "gpt", "openai", 200, "s1", "a", 1, 1),
        row("x2", T0 + 20, "gpt", "azure", 503, "s1", "a", 1, 1),
        row("x3", T0 + 30, "claude", "anthropic", 429, "s2", "a", 1, 1),
        row("x4s", T0 + 40, "claude", "anthropic", 200, "s2", "a", 1, 1)),
        T0);

    assertEquals(List.of("x2", "x1"), ids(store.requests(filter(null, "gpt", null), null, 10)));
    assertEquals(List.of("x2"), ids(store.requests(filter(null, null, "5xx"), null, 10)));
    assertEquals(List.of("x3"), ids(store.requests(filter(null, null, "429"), null, 10)));
    assertEquals(List.of("x3", "x2"), ids(store.requests(filter(null, null, "error"), null, 10)));
    assertEquals(List.of("x4s"), ids(store.requests(
        new RequestFilter(null, null, null, null, null, null, null, true, null, null), null, 10)));
    assertEquals(List.of("x4s", "x3"), ids(store.requests(
        new RequestFilter(null, null, "anthropic", null, null, "s2", null, null, null, null), null, 10)));
    assertEquals(List.of("x3", "x2"), ids(store.requests(
        new RequestFilter(null, null, null, null, null, null, null, null, T0 + 20, T0 + 40), null, 10)));
    assertEquals(List.of("x1"), ids(store.requests(
        new RequestFilter(null, null, null, "model-gpt", null, null, "trace-x1", null, null, null), null, 10)));
    assertThrows(IllegalArgumentException.class, () -> store.requests(filter(null, null, "teapot"), null, 10));
  }

  @Test
  void cursorPagesNeitherSkipNorRepeatAndIgnoreNewerRows() throws SQLException {
    List<RequestRow> rows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // Two rows share each millisecond: the id breaks the tie.
      rows.add(row("p" + i, T0 + (i / 2), "gpt", "openai", 200, "s", "page", 1, 1));
    }
    store.insert(rows, T0);

    Page first = store.requests(RequestFilter.ALL, null, 3);
    assertEquals(List.of("p6", "p5", "p4"), ids(first));
    store.insert(List.of(row("p9", T0 + 100, "gpt", "openai", 200, "s", "newer", 1, 1)), T0);
    Page second = store.requests(RequestFilter.ALL, first.nextCursor(), 3);
    assertEquals(List.of("p3", "p2", "p1"), ids(second));
    Page third = store.requests(RequestFilter.ALL, second.nextCursor(), 3);
    assertEquals(List.of("p0"), ids(third));
    assertNull(third.nextCursor());

    Page filtered = store.requests(filter("page", null, null), null, 4);
    assertEquals(List.of("p6", "p5", "p4", "p3"), ids(filtered));
    assertEquals(List.of("p2", "p1", "p0"), ids(store.requests(filter("page", null, null), filtered.nextCursor(), 4)));
    assertThrows(IllegalArgumentException.class, () -> store.requests(RequestFilter.ALL, "not-a-cursor", 3));
  }

  @Test
  void sessionsGroupTheirRequestsNewestActivityFirst() throws SQLException {
    store.insert(List.of(
        row("s1a", T0 + 1, "gpt", "openai", 200, "alpha", "x", 10, 3),
        row("s1b", T0 + 50, "claude", "anthropic", 502, "alpha", "x", 10, 4),
        row("s2a", T0 + 20, "gpt", "openai", 200, "beta", "x", 10, 5),
        row("s3a", T0 + 30, "gpt", "openai", 200, "gamma", "x", 10, 6),
        row("nos", T0 + 99, "gpt", "openai", 200, null, "x", 10, 6)),
        T0);

    Page first = store.sessions(RequestFilter.ALL, null, 2);
    assertEquals(List.of("alpha", "gamma"), first.items().stream().map(o -> o.getString("session_id")).toList());
    JsonObject alpha = first.items().get(0);
    assertEquals(2, alpha.getLong("requests"));
    assertEquals(1, alpha.getLong("errors"));
    assertEquals(7, alpha.getLong("prompt_tokens"));
    assertEquals(10, alpha.getLong("completion_tokens"));
    assertEquals(new JsonArray(List.of("claude", "gpt")), alpha.getJsonArray("aliases"));
    assertEquals("2026-01-01T00:00:00.001Z", alpha.getString("first_at"));
    assertEquals("2026-01-01T00:00:00.050Z", alpha.getString("last_at"));
    Page second = store.sessions(RequestFilter.ALL, first.nextCursor(), 2);
    assertEquals(List.of("beta"), second.items().stream().map(o -> o.getString("session_id")).toList());
    assertNull(second.nextCursor());
    assertEquals(List.of("beta", "alpha"), store.sessions(RequestFilter.window(T0 + 1, T0 + 25, null), null, 10)
        .items().stream().map(o -> o.getString("session_id")).toList());
  }

  @Test
  void statsCountErrorsPercentilesAndTokensPerAliasAndBackend() throws SQLException {
    List<RequestRow> rows = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {  // durations 10..200 ms; every 5th one failed
      rows.add(row("st" + i, T0 + i, "gpt", i % 2 == 0 ? "openai" : "azure", i % 5 == 0 ? 500 : 200, "s", "x",
          i * 10L, 2));
    }
    rows.add(row("other", T0 + 30, "claude", "anthropic", 200, "s", "x", 1000, 9));
    rows.add(row("outside", T0 + 5000, "claude", "anthropic", 200, "s", "x", 1, 1));
    store.insert(rows, T0);

    JsonObject stats = store.stats(T0, T0 + 1000);
    JsonObject total = stats.getJsonObject("total");
    assertEquals(21, total.getLong("requests"));
    assertEquals(4, total.getLong("errors"));
    assertEquals(0.1905, total.getDouble("error_rate"));
    assertEquals(110, total.getLong("p50_ms"));
    assertEquals(200, total.getLong("p95_ms"));
    assertEquals(49, total.getLong("prompt_tokens"));
    assertEquals(105, total.getLong("completion_tokens"));
    JsonObject gpt = stats.getJsonArray("by_alias").getJsonObject(1);
    assertEquals("gpt", gpt.getString("alias"));
    assertEquals(20, gpt.getLong("requests"));
    assertEquals(0.2, gpt.getDouble("error_rate"));
    assertEquals(100, gpt.getLong("p50_ms"));
    assertEquals(190, gpt.getLong("p95_ms"));
    Set<String> backends = stats.getJsonArray("by_backend").stream()
        .map(o -> ((JsonObject) o).getString("backend")).collect(Collectors.toSet());
    assertEquals(Set.of("anthropic", "azure", "openai"), backends);
    assertEquals("2026-01-01T00:00:00Z", stats.getString("since"));
  }

  @Test
  void retentionDeletesOldRowsFromListsAndSearch() throws SQLException {
    store.insert(List.of(
        row("old", T0, "gpt", "openai", 200, "s", "ancient pelican", 1, 1),
        row("new", T0 + 10_000, "gpt", "openai", 200, "s", "recent pelican", 1, 1)),
        T0);

    assertEquals(1, store.deleteBefore(T0 + 5_000, T0 + 10_000));
    assertEquals(List.of("new"), ids(store.requests(RequestFilter.ALL, null, 10)));
    assertEquals(List.of("new"), ids(store.requests(filter("pelican", null, null), null, 10)));
    assertEquals(List.of(), ids(store.requests(filter("ancient", null, null), null, 10)));
    assertTrue(store.record("old").isEmpty());
  }

  @Test
  void exportStreamsWholeRecordsOldestFirst() throws SQLException {
    store.insert(List.of(
        row("e2", T0 + 2, "gpt", "openai", 200, "s", "b", 1, 1),
        row("e1", T0 + 1, "gpt", "openai", 200, "s", "a", 1, 1),
        row("e3", T0 + 3, "claude", "anthropic", 200, "s", "c", 1, 1)),
        T0);

    List<String> lines = new ArrayList<>();
    assertEquals(2, store.export(RequestFilter.window(null, null, "gpt"), lines::add));
    assertEquals(List.of("e1", "e2"), lines.stream().map(l -> new JsonObject(l).getString("id")).toList());
    lines.clear();
    store.export(RequestFilter.window(T0 + 2, null, null), lines::add);
    assertEquals(List.of("e2", "e3"), lines.stream().map(l -> new JsonObject(l).getString("id")).toList());
    assertFalse(lines.isEmpty());
  }

  @Test
  void textWithNulCharactersIsStored() throws SQLException {
    store.insert(List.of(row("nul", T0, "gpt", "openai", 200, "s\0x", "zero \0 byte", 1, 1)), T0);
    assertEquals("sx", store.requests(RequestFilter.ALL, null, 1).items().get(0).getString("session_id"));
  }

  static RequestFilter filter(String q, String alias, String status) {
    return new RequestFilter(q, alias, null, null, status, null, null, null, null, null);
  }
}
