package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.LoggingSettings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The logging section applied to logback, at start and again on reload. */
class LogSetupTest {

  @TempDir
  Path dir;

  private final Logger app = LoggerFactory.getLogger("llmproxy.test");
  private final Logger access = LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);

  @AfterEach
  void restore() {
    LogSetup.restoreDefaults();
  }

  private static LoggingSettings settings(Path dir, String level, LoggingSettings.Format format, boolean separate) {
    return new LoggingSettings(level, level, dir, format, separate, 10, 7, true);
  }

  /** The lines of a file, without LogSetup's own "logging configured" lines. */
  private static List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .filter(l -> !l.isBlank() && !l.contains("logging configured"))
        .toList();
  }

  @Test
  void separateFilesSplitAccessLinesErrorsAndTheRest() throws Exception {
    LogSetup.apply(settings(dir, "info", LoggingSettings.Format.JSON, true));
    access.info("an access line");
    app.info("an app line");
    app.debug("below the level");
    app.warn("a warning");
    LogSetup.restoreDefaults();  // flushes

    List<String> requests = lines(dir.resolve("requests.log"));
    List<String> errors = lines(dir.resolve("errors.log"));
    List<String> other = lines(dir.resolve("app.log"));
    assertEquals(1, requests.size(), requests.toString());
    assertEquals("an access line", new JsonObject(requests.get(0)).getString("message"));
    assertEquals(1, errors.size(), errors.toString());
    assertEquals("a warning", new JsonObject(errors.get(0)).getString("message"));
    assertEquals(List.of("an app line", "a warning"),
        other.stream().map(l -> new JsonObject(l).getString("message")).toList());
  }

  @Test
  void aBurstLargerThanTheWritersQueueIsWrittenWholeAndInOrder() throws Exception {
    LogSetup.apply(settings(dir, "info", LoggingSettings.Format.JSON, true));
    int lines = LogWriter.QUEUE_SIZE * 3;
    for (int i = 0; i < lines; i++) {
      access.info("line {}", i);  // the logging thread waits for room: nothing is dropped
    }
    LogSetup.restoreDefaults();  // writes out what is queued

    List<String> written = lines(dir.resolve("requests.log"));
    assertEquals(lines, written.size());
    for (int i = 0; i < lines; i += 997) {
      assertEquals("line " + i, new JsonObject(written.get(i)).getString("message"));
    }
  }

  @Test
  void aLineWrittenToTheConsoleAndAFileIsTheSameLine() throws Exception {
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      LogSetup.apply(settings(dir, "info", LoggingSettings.Format.JSON, true));
      access.warn("a failed request");  // console, requests.log and errors.log: encoded once, written thrice
      LogSetup.restoreDefaults();
    } finally {
      System.setOut(stdout);
    }
    String line = lines(dir.resolve("requests.log")).get(0);
    assertEquals(List.of(line), lines(dir.resolve("errors.log")));
    assertTrue(console.toString(java.nio.charset.StandardCharsets.UTF_8).contains(line), console.toString());
  }

  @Test
  void accessLinesAreKeptEvenWhenTheLevelIsQuieter() throws Exception {
    LogSetup.apply(settings(dir, "error", LoggingSettings.Format.JSON, true));
    access.info("still recorded");
    app.warn("below error");
    LogSetup.restoreDefaults();
    assertEquals(1, lines(dir.resolve("requests.log")).size());
    assertEquals(List.of(), lines(dir.resolve("app.log")));
  }

  @Test
  void reloadSwitchesFormatLevelAndLayout() throws Exception {
    LogSetup.apply(settings(dir, "info", LoggingSettings.Format.JSON, false));
    app.info("first");
    app.debug("hidden at info");
    LogSetup.apply(settings(dir, "debug", LoggingSettings.Format.TEXT, false));
    app.debug("second");
    LogSetup.restoreDefaults();

    List<String> all = lines(dir.resolve("llm-proxy.log"));
    assertEquals(2, all.size(), all.toString());
    assertEquals("first", new JsonObject(all.get(0)).getString("message"));
    assertTrue(all.get(1).contains(" DEBUG llmproxy.test - second"), all.get(1));
    assertFalse(Files.exists(dir.resolve("requests.log")));
  }

  @Test
  void linesLoggedWhileTheConfigIsSwappedAreNotLost() throws Exception {
    LoggingSettings json = settings(dir, "info", LoggingSettings.Format.JSON, true);
    LoggingSettings text = settings(dir, "info", LoggingSettings.Format.TEXT, true);
    LogSetup.apply(json);
    int perThread = 2000;
    Thread[] writers = new Thread[3];
    for (int t = 0; t < writers.length; t++) {
      int id = t;
      writers[t] = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          access.info("line {}-{}", id, i);
        }
      });
      writers[t].start();
    }
    for (int i = 0; i < 6; i++) {
      LogSetup.apply(i % 2 == 0 ? text : json);
    }
    for (Thread w : writers) {
      w.join();
    }
    LogSetup.restoreDefaults();
    assertEquals(writers.length * perThread, lines(dir.resolve("requests.log")).size());
  }

  @Test
  void reapplyingAppendsToTheSameFilesWithoutLosingLines() throws Exception {
    LoggingSettings snapshotSettings = settings(dir, "info", LoggingSettings.Format.JSON, true);
    LogSetup.apply(snapshotSettings);
    app.info("before");
    LogSetup.apply(snapshotSettings);
    app.info("after");
    LogSetup.restoreDefaults();
    assertEquals(2, lines(dir.resolve("app.log")).size());
  }
}
