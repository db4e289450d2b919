package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code logging:} and {@code shutdown:} sections. */
class ObservabilityConfigTest {

  private static Snapshot compile(String extra) throws ConfigException {
    return Configs.compile(Configs.ECHO_BASE + extra);
  }

  @Test
  void defaultsWhenAbsent() throws ConfigException {
    Snapshot s = compile("");
    LoggingSettings l = s.logging();
    assertEquals("info", l.level());
    assertEquals("info", l.consoleLevel());
    assertEquals(Path.of("/etc/llm-proxy/logs"), l.baseDir());
    assertEquals(LoggingSettings.Format.JSON, l.format());
    assertTrue(l.separateFiles());
    assertEquals(100, l.maxFileSizeMb());
    assertEquals(14, l.maxAgeDays());
    assertTrue(l.maskSensitive());
    assertEquals(Duration.ofSeconds(30), s.shutdown().drainTimeout());
    assertTrue(s.warnings().isEmpty(), s.warnings().toString());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    Snapshot s = compile("""
        logging:
          level: DEBUG
          console_level: warning
          base_dir: /var/log/llm-proxy
          format: text
          separate_files: false
          max_file_size_mb: 5
          max_age_days: 3
          mask_sensitive: false
        shutdown:
          drain_timeout: 2m
        """);
    LoggingSettings l = s.logging();
    assertEquals(new LoggingSettings("debug", "warn", Path.of("/var/log/llm-proxy"), LoggingSettings.Format.TEXT,
        false, 5, 3, false), l);
    assertEquals(Duration.ofMinutes(2), s.shutdown().drainTimeout());
  }

  @Test
  void emptyBaseDirMeansConsoleOnlyAndRelativeDirsFollowTheConfigFile() throws ConfigException {
    assertNull(compile("logging: {base_dir: \"\"}\n").logging().baseDir());
    assertEquals(Path.of("/etc/llm-proxy/var/log"), compile("logging: {base_dir: var/log}\n").logging().baseDir());
  }

  @Test
  void consoleLevelDefaultsToLevel() throws ConfigException {
    assertEquals("error", compile("logging: {level: error}\n").logging().consoleLevel());
  }

  @Test
  void everyProblemNamesItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> compile("""
        logging:
          level: loud
          format: xml
          max_file_size_mb: 0
          max_age_days: many
        shutdown:
          drain_timeout: soon
        """));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("logging.level"), all);
    assertTrue(all.contains("logging.format"), all);
    assertTrue(all.contains("logging.max_file_size_mb"), all);
    assertTrue(all.contains("logging.max_age_days"), all);
    assertTrue(all.contains("shutdown.drain_timeout"), all);
  }

  @Test
  void unknownKeysAreWarnedAbout() throws ConfigException {
    Snapshot s = compile("logging: {levle: debug}\nshutdown: {drain: 1s}\n");
    assertTrue(s.warnings().stream().anyMatch(w -> w.contains("logging.levle")), s.warnings().toString());
    assertTrue(s.warnings().stream().anyMatch(w -> w.contains("shutdown.drain")), s.warnings().toString());
  }
}
