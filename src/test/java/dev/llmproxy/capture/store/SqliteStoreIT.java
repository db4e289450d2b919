package dev.llmproxy.capture.store;

import dev.llmproxy.config.CaptureSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The store contract on SQLite: a new database file per test, in a directory the store has to create. */
class SqliteStoreIT extends RequestStoreContract {

  private Path file;

  @Override
  CaptureSettings.Store freshStore() {
    try {
      file = Files.createTempDirectory("capture-sqlite").resolve("nested/requests.db");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new CaptureSettings.Store(CaptureSettings.StoreType.SQLITE, file, null, null, null, 30);
  }

  @Test
  void theFileIsInWriteAheadLogMode() throws SQLException {
    store.insert(List.of(row("w1", T0, "gpt", "openai", 200, "s", "x", 1, 1)), T0);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertEquals("wal", rs.getString(1));
    }
  }
}
