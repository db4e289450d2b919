package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code store.type: postgres} end to end on a real PostgreSQL server: the gateway migrates the schema, the
 * writer inserts, the query API searches, and no row holds a key. (The store contract itself is
 * {@code PostgresStoreIT}.)
 */
@ExtendWith(VertxExtension.class)
class CapturePostgresIT {

  static final String BACKEND_KEY = "sk-proj-postgresBackend9999";
  private MockUpstream upstream;
  private GatewayHarness gw;
  private CaptureRecords records;

  @BeforeAll
  static void server() {
    assumeTrue(PostgresServer.shared().isPresent(), PostgresServer::unavailableReason);
  }

  @AfterEach
  void stop() {
    if (records != null) {
      records.close();
    }
    if (gw != null) {
      gw.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void requestsAreStoredSearchedAndKeyFree(Vertx vertx) throws Exception {
    PostgresServer pg = PostgresServer.shared().orElseThrow();
    String db = pg.createDatabase();
    upstream = MockUpstream.start(vertx, "up").always(MockUpstream.chat("an albatross appears"));
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", api_key: "%s"}]
        models: {m: [{backend: up, model: real}]}
        capture:
          directory: ""
          store: {type: postgres, url: "%s"}
        """.formatted(upstream.url(), BACKEND_KEY, pg.url(db)));
    records = CaptureRecords.listen(vertx);

    gw.post("/v1/chat/completions", GatewayHarness.chat("m", false), "X-Session-ID", "pg-session");
    gw.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"key "
        + BACKEND_KEY + " and a pelican\"}]}");
    gw.post("/v1/chat/completions", GatewayHarness.chat("m", true));
    records.await(3, Duration.ofSeconds(15));

    JsonObject pelican = new JsonObject(gw.get("/admin/requests?q=pelican").body());
    assertEquals(1, pelican.getJsonArray("data").size(), pelican.encode());
    assertEquals(3, new JsonObject(gw.get("/admin/requests?q=albatross").body()).getJsonArray("data").size());
    assertEquals(1, new JsonObject(gw.get("/admin/sessions?session=pg-session").body()).getJsonArray("data").size());
    assertEquals(3, new JsonObject(gw.get("/admin/stats").body()).getJsonObject("total").getInteger("requests"));

    List<String> cells = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), PostgresServer.USER, "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM requests")) {
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          cells.add(rs.getString(i));
        }
      }
    }
    assertFalse(cells.isEmpty());
    for (String cell : cells) {
      assertFalse(cell != null && CaptureIT.KEY_SHAPES.matcher(cell).find(), "a key in a row: " + cell);
      assertFalse(cell != null && cell.contains(BACKEND_KEY), cell);
    }
  }
}
