package dev.llmproxy.capture.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.support.PostgresServer;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a real PostgreSQL server (support/PostgresServer starts a private one), a new database
 * per test. Skipped, with the reason, only where PostgreSQL is not installed; CI installs it.
 */
class PostgresStoreIT extends RequestStoreContract {

  @BeforeAll
  static void server() {
    assumeTrue(PostgresServer.shared().isPresent(), PostgresServer::unavailableReason);
  }

  @Override
  CaptureSettings.Store freshStore() {
    PostgresServer pg = PostgresServer.shared().orElseThrow();
    String db = pg.createDatabase();
    return new CaptureSettings.Store(CaptureSettings.StoreType.POSTGRES, null, pg.jdbcUrl(db), PostgresServer.USER,
        null, 30);
  }
}
