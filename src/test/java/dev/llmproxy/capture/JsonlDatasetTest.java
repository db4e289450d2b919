package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.capture.store.RequestRow;
import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The dataset's files: layout, daily and size rotation, torn-line repair, an unwritable directory and recovery. */
class JsonlDatasetTest {

  private Path root;
  private MutableClock clock;
  private JsonlDataset dataset;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createTempDirectory("capture-dataset");
    clock = new MutableClock(Instant.parse("2026-03-04T23:59:00Z"));
    dataset = new JsonlDataset(clock, new ThrottledLog(LoggerFactory.getLogger(getClass()), clock));
  }

  private CaptureSettings settings(Path dir, String layout, long maxFileBytes) {
    CaptureSettings d = CaptureSettings.OFF;
    return new CaptureSettings(true, true, dir, layout, maxFileBytes, true, false, d.maxBodyBytes(), 10,
        d.sessionHeader(), d.store(), d.loki());
  }

  private static CaptureRecord record(String id, String alias, String session) {
    String line = new JsonObject().put("v", 1).put("id", id).put("pad", "x".repeat(50)).encode();
    return new CaptureRecord(line, new RequestRow(id, 0, null, session, null, "POST", "/chat/completions", "openai",
        alias, "openai", "m", 200, false, 1, 1, 1, 1, 1, false, null, null, "", line));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8);
  }

  @Test
  void layoutPlaceholdersBecomeSafeFolders() {
    CaptureRecord r = record("a", "gpt-4/../x", "h-1234");
    assertEquals("2026-03-04/gpt-4_.._x/openai/h-1234",
        JsonlDataset.folder("{date}/{alias}/{protocol}/{session}", LocalDate.parse("2026-03-04"), r));
    assertEquals("none", JsonlDataset.safe(null));
    assertEquals("_hidden", JsonlDataset.safe(".hidden"));
  }

  @Test
  void linesGoUnderTheLayoutAndFilesRollDailyAndBySize() throws IOException {
    CaptureSettings s = settings(root, "{date}/{alias}", 200);  // lines are 73 bytes
    assertTrue(dataset.write(s, record("1", "gpt", null)));
    assertTrue(dataset.write(s, record("2", "gpt", null)));
    assertTrue(dataset.write(s, record("3", "gpt", null)));  // would pass 200 bytes: a new file
    assertTrue(dataset.write(s, record("4", "claude", null)));
    clock.advance(Duration.ofMinutes(2));  // past midnight
    assertTrue(dataset.write(s, record("5", "gpt", null)));
    dataset.close();

    Path day1 = root.resolve("2026-03-04");
    assertEquals(2, lines(day1.resolve("gpt/requests-2026-03-04.jsonl")).size());
    assertEquals(1, lines(day1.resolve("gpt/requests-2026-03-04.1.jsonl")).size());
    assertEquals(1, lines(day1.resolve("claude/requests-2026-03-04.jsonl")).size());
    List<String> day2 = lines(root.resolve("2026-03-05/gpt/requests-2026-03-05.jsonl"));
    assertEquals("5", new JsonObject(day2.get(0)).getString("id"));
  }

  @Test
  void aTornLastLineIsCutBeforeAppending() throws IOException {
    CaptureSettings s = settings(root, "", 1 << 20);
    Path file = root.resolve("requests-2026-03-04.jsonl");
    Files.writeString(file, "{\"v\":1,\"id\":\"whole\"}\n{\"v\":1,\"id\":\"to", StandardOpenOption.CREATE);

    assertTrue(dataset.write(s, record("next", "gpt", null)));
    dataset.close();

    List<String> lines = lines(file);
    assertEquals(List.of("whole", "next"), lines.stream().map(l -> new JsonObject(l).getString("id")).toList());
  }

  @Test
  void afterARestartTheDaysLatestFileIsContinued() throws IOException {
    CaptureSettings s = settings(root, "", 1 << 20);
    dataset.write(s, record("1", "gpt", null));
    dataset.close();
    JsonlDataset again = new JsonlDataset(clock, new ThrottledLog(LoggerFactory.getLogger(getClass()), clock));
    again.write(s, record("2", "gpt", null));
    again.close();
    try (Stream<Path> files = Files.list(root)) {
      assertEquals(1, files.count());
    }
    assertEquals(2, lines(root.resolve("requests-2026-03-04.jsonl")).size());
  }

  @Test
  void anUnwritableDirectoryLosesLinesUntilItCanBeWrittenAgain() throws IOException {
    Path blocked = root.resolve("data");
    Files.writeString(blocked, "a file where the dataset directory should be");
    CaptureSettings s = settings(blocked, "{alias}", 1 << 20);

    assertFalse(dataset.write(s, record("lost", "gpt", null)));
    assertFalse(dataset.write(s, record("lost-too", "gpt", null)));
    Files.delete(blocked);
    assertTrue(dataset.write(s, record("back", "gpt", null)));
    dataset.close();

    assertEquals(List.of("back"), lines(blocked.resolve("gpt/requests-2026-03-04.jsonl")).stream()
        .map(l -> new JsonObject(l).getString("id")).toList());
  }

  @Test
  void aChangedDirectoryIsFollowed() throws IOException {
    assertTrue(dataset.write(settings(root.resolve("one"), "", 1 << 20), record("1", "gpt", null)));
    assertTrue(dataset.write(settings(root.resolve("two"), "", 1 << 20), record("2", "gpt", null)));
    dataset.close();
    assertEquals(1, lines(root.resolve("one/requests-2026-03-04.jsonl")).size());
    assertEquals(1, lines(root.resolve("two/requests-2026-03-04.jsonl")).size());
  }
}
