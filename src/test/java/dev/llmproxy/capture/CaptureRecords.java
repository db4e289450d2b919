package dev.llmproxy.capture;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test view of what capture wrote: the record summaries it publishes on the event bus once a record is in every
 * sink (an event to await, instead of polling files), and the dataset's lines.
 */
final class CaptureRecords implements AutoCloseable {

  private final BlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();
  private final MessageConsumer<JsonObject> consumer;

  private CaptureRecords(Vertx vertx) {
    consumer = vertx.eventBus().consumer(Capture.RECORDS_ADDRESS, m -> published.add(m.body()));
    consumer.completion().await();
  }

  static CaptureRecords listen(Vertx vertx) {
    return new CaptureRecords(vertx);
  }

  /** The next {@code n} published summaries, in the order they were written. */
  List<JsonObject> await(int n, Duration timeout) throws InterruptedException {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (out.size() < n) {
      JsonObject next = published.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new AssertionError("only " + out.size() + " of " + n + " capture records within " + timeout);
      }
      out.add(next);
    }
    return out;
  }

  JsonObject awaitOne() throws InterruptedException {
    return await(1, Duration.ofSeconds(10)).get(0);
  }

  /** Summaries published so far and not awaited. */
  List<JsonObject> drain() {
    List<JsonObject> out = new ArrayList<>();
    published.drainTo(out);
    return out;
  }

  /** Every line of every {@code .jsonl} file under {@code dir}, each parsed (a line that does not parse fails). */
  static List<JsonObject> dataset(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<JsonObject> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          out.add(new JsonObject(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Everything capture wrote, as text to search for what must not be there: each dataset file whole, and each
   * column of each row of the SQLite store.
   */
  static List<String> everythingWritten(Path dataDir, Path sqlite) throws java.sql.SQLException {
    List<String> texts = new ArrayList<>();
    for (Path file : files(dataDir)) {
      try {
        texts.add(file + ": " + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + sqlite);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT * FROM requests")) {
      java.sql.ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          texts.add("row column " + meta.getColumnName(i) + ": " + rs.getString(i));
        }
      }
    }
    return texts;
  }

  static List<Path> files(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
