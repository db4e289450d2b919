package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCompilerTest {

  @TempDir Path dir;

  private Snapshot load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ConfigFiles.load(file, env);
  }

  private List<String> problems(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml, Map.of()));
    return e.problems();
  }

  @Test
  void midStreamRecoveryIsOnByDefaultAndEveryRouteTakesAPrefill() throws Exception {
    Snapshot s = load("""
        backends: [{name: a, url: "http://127.0.0.1:9/v1"}]
        models:
          plain: [{backend: a, model: m1}]
          restarts:
            routes: [{backend: a, model: m1, prefill: false}]
            midstream_recovery: false
        """, Map.of());
    assertTrue(s.fallback().midstreamRecovery());
    assertTrue(s.aliases().get("plain").routes().get(0).prefill());
    assertTrue(s.fallback().midstreamRecoveryFor(s.aliases().get("plain")));
    assertFalse(s.aliases().get("restarts").routes().get(0).prefill());
    assertFalse(s.fallback().midstreamRecoveryFor(s.aliases().get("restarts")));

    Snapshot globalOff = load("""
        backends: [{name: a, url: "http://127.0.0.1:9/v1"}]
        models:
          inherits: [{backend: a, model: m1}]
          own: {routes: [{backend: a, model: m1}], midstream_recovery: true}
        fallback: {midstream_recovery: false}
        """, Map.of());
    assertFalse(globalOff.fallback().midstreamRecoveryFor(globalOff.aliases().get("inherits")));
    assertTrue(globalOff.fallback().midstreamRecoveryFor(globalOff.aliases().get("own")), "the alias decides");
  }

  @Test
  void midStreamRecoveryKeysMustBeBooleans() {
    List<String> problems = problems("""
        backends: [{name: a, url: "http://127.0.0.1:9/v1"}]
        models:
          m: {routes: [{backend: a, model: m1, prefill: maybe}], midstream_recovery: sometimes}
        fallback: {midstream_recovery: 3}
        """);
    assertTrue(problems.contains("models[\"m\"].routes[0].prefill: must be true or false, got \"maybe\""),
        problems.toString());
    assertTrue(problems.contains("models[\"m\"].midstream_recovery: must be true or false, got \"sometimes\""),
        problems.toString());
    assertTrue(problems.contains("fallback.midstream_recovery: must be true or false, got \"3\""), problems.toString());
  }

  @Test
  void fullAndFlatAliasFormsWithDefaults() throws Exception {
    Snapshot s = load("""
        backends:
          - {name: a, url: "http://127.0.0.1:9/v1/", api_key: k}
          - {name: local, type: echo}
        models:
          full:
            routes:
              - {backend: a, model: m2, priority: 2}
              - {backend: local, model: echo, priority: 1, weight: 3}
          flat:
            - {backend: a, model: m1}
        """, Map.of());
    assertEquals("127.0.0.1", s.listen().host());
    assertEquals(8765, s.listen().port());
    assertNull(s.proxyApiKey());
    assertEquals("http://127.0.0.1:9/v1", s.backends().get("a").url(), "trailing slash trimmed");
    List<Route> routes = s.aliases().get("full").routes();
    assertEquals(List.of("local", "a"), routes.stream().map(Route::backend).toList(), "sorted by priority");
    assertEquals(3, routes.get(0).weight());
    assertEquals(1, s.aliases().get("flat").routes().get(0).priority());
    assertEquals(Duration.ofSeconds(10), s.timeouts().connect());
    assertEquals(Duration.ofMinutes(10), s.timeouts().total());
    assertEquals(10L * 1024 * 1024, s.proxy().maxBodyBytes());
    assertEquals(dir.resolve("system_prompts"), s.proxy().systemPromptsDir(), "relative to the config file");
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    List<String> p = problems("""
        listen: "127.0.0.1:99999"
        timeout: {connect: soon}
        backends:
          - {name: a, url: "ftp://x"}
          - {name: a, url: "http://ok"}
          - {url: "http://nameless"}
        models:
          gpt-4:
            routes:
              - {backend: azure-eu, model: x}
              - {backend: a, model: y, priority: -1}
              - {backend: a}
        """);
    String all = String.join("\n", p);
    assertTrue(all.contains("listen: port must be a number from 0 to 65535"), all);
    assertTrue(all.contains("timeout.connect: invalid duration \"soon\""), all);
    assertTrue(all.contains("backends[0].url: must be an http:// or https:// URL"), all);
    assertTrue(all.contains("backends[1].name: duplicate backend name \"a\""), all);
    assertTrue(all.contains("backends[2].name: required"), all);
    assertTrue(all.contains("models[\"gpt-4\"].routes[0].backend: unknown backend \"azure-eu\""), all);
    assertTrue(all.contains("models[\"gpt-4\"].routes[1].priority: must be zero or positive"), all);
    assertTrue(all.contains("models[\"gpt-4\"].routes[2].model: required"), all);
    assertEquals(8, p.size(), all);
  }

  @Test
  void envExpansionWithDefaultsAndMissingKeyDisablesOnlyThatBackend() throws Exception {
    Snapshot s = load("""
        proxy_api_key: "${PROXY_KEY:-}"
        backends:
          - {name: openai, url: "${OPENAI_URL:-https://api.openai.com/v1}", api_key: "${OPENAI_API_KEY}"}
          - {name: other, url: "http://127.0.0.1:1/v1", api_key: "${OTHER_KEY}"}
        models:
          m: [{backend: openai, model: x}, {backend: other, model: y}]
        """, Map.of("OTHER_KEY", "sk-other"));
    assertNull(s.proxyApiKey(), "empty default means no auth");
    Backend openai = s.backends().get("openai");
    assertFalse(openai.enabled());
    assertTrue(openai.disabledReason().contains("OPENAI_API_KEY"), openai.disabledReason());
    assertEquals("https://api.openai.com/v1", load("""
        backends: [{name: o, url: "${OPENAI_URL:-https://api.openai.com/v1}"}]
        models: {m: [{backend: o, model: x}]}
        """, Map.of()).backends().get("o").url());
    assertEquals("sk-other", s.backends().get("other").apiKey().value());
    assertTrue(s.warnings().stream().anyMatch(w -> w.contains("backend \"openai\" disabled")), s.warnings().toString());
  }

  @Test
  void missingEnvOutsideABackendIsAnError() {
    List<String> p = problems("""
        proxy_api_key: "${NOT_SET_ANYWHERE}"
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local}]}
        """);
    assertEquals(List.of("proxy_api_key: environment variable [NOT_SET_ANYWHERE] is not set"
        + " (use ${VAR:-default} for optional values)"), p);
  }

  @Test
  void nonLoopbackListenNeedsAKeyOrExplicitOverride() throws Exception {
    String base = """
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local}]}
        """;
    List<String> p = problems("listen: \"0.0.0.0:8765\"\n" + base);
    assertTrue(p.get(0).startsWith("listen: binding 0.0.0.0 (not a loopback address) requires proxy_api_key"), p.toString());
    assertEquals("0.0.0.0", load("listen: \"0.0.0.0:8765\"\nallow_unauthenticated: true\n" + base, Map.of()).listen().host());
    assertEquals("0.0.0.0", load("listen: \"0.0.0.0:8765\"\nproxy_api_key: s3cret\n" + base, Map.of()).listen().host());
    assertEquals("::1", load("listen: \"[::1]:8765\"\n" + base, Map.of()).listen().host());
  }

  @Test
  void unquotedYamlBooleanAsNameIsExplained() {
    List<String> p = problems("""
        backends: [{name: off, type: echo}]
        models: {m: [{backend: local}]}
        """);
    assertTrue(p.get(0).startsWith("backends[0].name: YAML read this name as a boolean"), p.toString());
  }

  @Test
  void fallbackAliasesMustExistAndNotCycle() {
    List<String> p = problems("""
        backends: [{name: local, type: echo}]
        models: {a: [{backend: local}], b: [{backend: local}], c: [{backend: local}]}
        fallback:
          alias_fallback: {a: [b], b: [c], c: [a, nope]}
          on_context_length: {a: [a]}
        detection: {error_codes: [429, "5xx", "600"], error_patterns: ["/(/"]}
        """);
    String all = String.join("\n", p);
    assertTrue(all.contains("fallback.alias_fallback[\"c\"][1]: unknown model alias \"nope\""), all);
    assertTrue(all.contains("fallback.alias_fallback: fallback cycle a -> b -> c -> a"), all);
    assertTrue(all.contains("fallback.on_context_length[\"a\"][0]: alias \"a\" cannot fall back to itself"), all);
    assertTrue(all.contains("detection.error_codes[2]: invalid status pattern \"600\""), all);
    assertTrue(all.contains("detection.error_patterns[0]: invalid regular expression"), all);
  }

  @Test
  void backendDetectionOverrideInheritsTheGlobalRules() throws Exception {
    Snapshot s = load("""
        detection: {error_codes: [500], error_patterns: [special]}
        backends: [{name: a, type: echo, detection: {error_codes: [400]}}, {name: b, type: echo}]
        models: {m: [{backend: a}, {backend: b}]}
        """, Map.of());
    var a = s.detectionFor(s.backends().get("a"));
    assertTrue(a.codeListed(400) && !a.codeListed(500));
    assertTrue(a.bodyMatches("a SPECIAL failure"), "patterns inherited from the global block");
    assertTrue(s.detectionFor(s.backends().get("b")).codeListed(500));
  }

  @Test
  void yamlSyntaxErrorNamesLineAndColumn() {
    List<String> p = problems("backends:\n  - {name: a\nmodels: x\n");
    assertTrue(p.get(0).startsWith("invalid YAML at line"), p.toString());
  }

  @Test
  void unknownKeysAreWarnedNotFatal() throws Exception {
    Snapshot s = load("""
        timeouts: {connect: 1s}
        backends: [{name: local, type: echo, colour: red}]
        models: {m: [{backend: local}]}
        """, Map.of());
    assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("timeouts: unknown key")), s.warnings().toString());
    assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("backends[0].colour: unknown key")), s.warnings().toString());
  }

  @Test
  void aNearMissOfAKnownKeyIsNamedAndComesWithTheErrorsItCauses() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("""
        backend: [{name: local, type: echo}]
        models: {m: [{backend: local}]}
        """, Map.of()));
    assertEquals(List.of("backend: unknown key (ignored); did you mean `backends`?"), e.unknownKeys());
    assertTrue(e.problems().contains("backends: at least one backend is required"), e.problems().toString());
  }

  @Test
  void suggestionsForTyposButNotForUnrelatedKeys() {
    java.util.Set<String> keys = ConfigCompiler.TOP_LEVEL_KEYS;
    assertEquals("timeout", KeySuggestions.closest("timout", keys));
    assertEquals("timeout", KeySuggestions.closest("timeouts", keys));
    assertEquals("models", KeySuggestions.closest("modles", keys));
    assertEquals("models", KeySuggestions.closest("Models", keys));
    assertEquals("rate_limit", KeySuggestions.closest("rate-limit", keys));
    assertNull(KeySuggestions.closest("colour", keys));
    assertNull(KeySuggestions.closest("foo", keys));
  }

  @Test
  void secretsNeverPrintThemselves() throws Exception {
    Snapshot s = load("""
        proxy_api_key: sk-proxy-123
        backends: [{name: a, url: "http://h/v1", api_key: sk-ant-secret, headers: {api-key: hdr-secret}}]
        models: {m: [{backend: a, model: x}]}
        """, Map.of());
    String printed = s.toString();
    assertFalse(printed.contains("sk-proxy-123") || printed.contains("sk-ant-secret") || printed.contains("hdr-secret"), printed);
    assertEquals("sk-ant-****", s.backends().get("a").apiKey().masked());
  }
}
