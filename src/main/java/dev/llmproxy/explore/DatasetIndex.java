package dev.llmproxy.explore;

import dev.llmproxy.capture.RecordRows;
import dev.llmproxy.capture.store.RequestRow;
import dev.llmproxy.capture.store.RequestStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Indexes a capture dataset (every {@code *.jsonl} file under a directory, as {@code capture.directory} lays them
 * out) into a store, so the explorer can list, search and chart traffic that was captured without a store, or on
 * another machine. Lines that are not records (a torn last line, another file) are skipped and counted; a record
 * already in the store is skipped by its id, so indexing twice adds nothing.
 */
final class DatasetIndex {

  static final int BATCH = 500;

  /** What an indexing run did. */
  record Result(int files, long records, long skipped) {}

  private DatasetIndex() {}

  /** Blocks; the caller is the store's only writer while this runs. */
  static Result index(Path directory, RequestStore store, long nowMillis, Consumer<String> problems)
      throws IOException, SQLException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p))
          .sorted().toList();
    }
    long records = 0;
    long skipped = 0;
    List<RequestRow> batch = new ArrayList<>(BATCH);
    for (Path file : files) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
          number++;
          if (line.isBlank()) {
            continue;
          }
          try {
            batch.add(RecordRows.of(line));
          } catch (RuntimeException e) {
            if (skipped++ < 5) {
              problems.accept(file + ":" + number + ": skipped, " + e.getMessage());
            }
            continue;
          }
          if (batch.size() == BATCH) {
            records += flush(batch, store, nowMillis);
          }
        }
      }
    }
    records += flush(batch, store, nowMillis);
    return new Result(files.size(), records, skipped);
  }

  private static int flush(List<RequestRow> batch, RequestStore store, long nowMillis) throws SQLException {
    int n = batch.size();
    store.insert(batch, nowMillis);
    batch.clear();
    return n;
  }
}
