package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ConfigFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ui:} section: defaults, every key, errors that name the field; the example config's UI is on. */
class UiSettingsTest {

  private static Snapshot compile(String extra, Map<String, String> env) throws ConfigException {
    return Configs.compileWithEnv(Configs.ECHO_BASE + extra, env);
  }

  @Test
  void absentMeansOnWithoutAPassword() throws ConfigException {
    UiSettings ui = compile("", Map.of()).ui();
    assertTrue(ui.enabled());
    assertNull(ui.password());
    assertEquals(Duration.ofHours(12), ui.sessionTtl());
  }

  @Test
  void everyKey() throws ConfigException {
    UiSettings ui = compile("ui: {enabled: false, password: \"${UI_PW}\", session_ttl: 30m}",
        Map.of("UI_PW", "s3cret")).ui();
    assertFalse(ui.enabled());
    assertTrue(ui.password().matches("s3cret"));
    assertEquals("[REDACTED]", ui.password().toString());
    assertEquals(Duration.ofMinutes(30), ui.sessionTtl());
    assertNull(compile("ui: {password: \"${UI_PW:-}\"}", Map.of()).ui().password(), "empty: no basic auth");
  }

  @Test
  void problemsNameTheField() {
    List<String> problems = assertThrows(ConfigException.class,
        () -> compile("ui: {enabled: maybe, session_ttl: 0s}", Map.of())).problems();
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("ui.enabled")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("ui.session_ttl")), problems.toString());
    List<String> unset = assertThrows(ConfigException.class,
        () -> compile("ui: {password: \"${NO_SUCH_UI_PW}\"}", Map.of())).problems();
    assertTrue(unset.get(0).startsWith("ui.password"), unset.toString());
  }

  @Test
  void theExampleConfigCapturesToAStoreAndServesTheUi() throws Exception {
    Snapshot s = ConfigFiles.load(Path.of("config.example.yaml"));
    assertTrue(s.capture().enabled(), "a newcomer's first requests show at /ui/");
    assertEquals(CaptureSettings.StoreType.SQLITE, s.capture().store().type());
    assertTrue(s.ui().enabled());
    assertNull(s.ui().password());
    assertTrue(s.listen().isLoopback());
  }
}
