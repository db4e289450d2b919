package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemPromptCompilerTest {

  private static final String BASE = """
      backends:
        - {name: local, type: echo}
      models:
        flat:
          - {backend: local}
        full:
          routes: [{backend: local}]
          system_prompt_mode: append
        inline:
          routes: [{backend: local}]
          system_prompt: "Be brief."
          system_prompt_mode: replace
      """;

  @Test
  void filesAndInlinePromptsAreCompiledWithTheirModes() throws Exception {
    Snapshot s = Configs.compile(BASE, Map.of("flat", "Flat prompt.\n", "full", "\uFEFFFull prompt.\n\n"));
    SystemPrompts p = s.systemPrompts();
    assertEquals(new SystemPrompt("Flat prompt.", PromptMode.PREPEND, "/etc/llm-proxy/system_prompts/flat.txt"),
        p.forAlias("flat").orElseThrow());
    assertEquals("Full prompt.", p.forAlias("full").orElseThrow().text(), "BOM and final newlines are dropped");
    assertEquals(PromptMode.APPEND, p.forAlias("full").orElseThrow().mode());
    assertEquals(new SystemPrompt("Be brief.", PromptMode.REPLACE, "models[\"inline\"].system_prompt"),
        p.forAlias("inline").orElseThrow());
  }

  @Test
  void inlinePromptWinsOverFileWithAWarning() throws Exception {
    Snapshot s = Configs.compile(BASE, Map.of("inline", "from file"));
    assertEquals("Be brief.", s.systemPrompts().forAlias("inline").orElseThrow().text());
    assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("/etc/llm-proxy/system_prompts/inline.txt: ignored")),
        s.warnings().toString());
  }

  @Test
  void fileForUnknownAliasIsAWarningNotAPrompt() throws Exception {
    Snapshot s = Configs.compile(BASE, Map.of("nope", "x"));
    assertTrue(s.systemPrompts().forAlias("nope").isEmpty());
    assertTrue(s.warnings().stream().anyMatch(w -> w.contains("nope.txt: no model alias \"nope\"")), s.warnings().toString());
  }

  @Test
  void emptyOrMissingFileMeansNoInjection() throws Exception {
    Snapshot s = Configs.compile(BASE, Map.of("flat", "  \n"));
    assertTrue(s.systemPrompts().forAlias("flat").isEmpty());
    assertTrue(s.systemPrompts().forAlias("full").isEmpty());
  }

  @Test
  void disabledInjectionHasNoPromptsButStillTracksTheFiles() throws Exception {
    Snapshot on = Configs.compile(BASE, Map.of("flat", "x"));
    Snapshot off = Configs.compile("proxy: {enable_system_prompt: false}\n" + BASE, Map.of("flat", "x"));
    assertTrue(off.systemPrompts().byAlias().isEmpty());
    assertEquals(on.systemPrompts().filesChecksum(), off.systemPrompts().filesChecksum());
  }

  @Test
  void badModeAndBadUtf8AreErrorsNamingFieldAndFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> Configs.compileBytes(
        BASE.replace("system_prompt_mode: append", "system_prompt_mode: before"),
        Map.of("flat", new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28})));
    assertTrue(e.problems().contains("models[\"full\"].system_prompt_mode: must be prepend, append or replace, got \"before\""),
        e.problems().toString());
    assertTrue(e.problems().contains("/etc/llm-proxy/system_prompts/flat.txt: not valid UTF-8 text"), e.problems().toString());
  }

  @Test
  void promptsDirIsRelativeToTheConfigFile() throws Exception {
    Snapshot s = Configs.compile("proxy: {system_prompts_dir: prompts/v2}\n" + BASE);
    assertEquals("/etc/llm-proxy/prompts/v2", s.proxy().systemPromptsDir().toString());
  }

  @Test
  void watchIntervalDefaultsToOneSecondAndRejectsTinyValues() throws Exception {
    assertEquals(java.time.Duration.ofSeconds(1), Configs.compile(BASE).reload().watchInterval());
    assertFalse(Configs.compile("proxy: {watch_interval: 0}\n" + BASE).reload().watching());
    ConfigException e = assertThrows(ConfigException.class, () -> Configs.compile("proxy: {watch_interval: 5ms}\n" + BASE));
    assertEquals("proxy.watch_interval: must be 0 (off) or at least 50ms, got 5ms", e.problems().get(0));
  }

  @Test
  void checksumChangesWithContent() {
    var a = PromptFiles.of(null, Map.of("m", "one"));
    var b = PromptFiles.of(null, Map.of("m", "two"));
    var c = new PromptFiles(null, Map.of("m", "one".getBytes(StandardCharsets.UTF_8)), Map.of());
    assertFalse(a.checksum().equals(b.checksum()));
    assertEquals(a.checksum(), c.checksum());
  }
}
