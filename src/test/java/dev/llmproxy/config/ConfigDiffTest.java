package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

  private static final String BEFORE = """
      listen: "127.0.0.1:8765"
      backends:
        - {name: a, url: "http://a.example/v1", api_key: k1}
        - {name: b, url: "http://b.example/v1"}
        - {name: gone, url: "http://gone.example/v1"}
      models:
        m: [{backend: a, model: x}]
        same: [{backend: b, model: y}]
        old: [{backend: gone, model: z}]
      """;

  @Test
  void namesWhatWasAddedRemovedAndModified() throws Exception {
    Snapshot before = Configs.compile(BEFORE, Map.of("same", "p1"));
    Snapshot after = Configs.compile("""
        listen: "127.0.0.1:9999"
        timeout: {connect: 3s}
        backends:
          - {name: a, url: "http://a.example/v1", api_key: k2}
          - {name: b, url: "http://b.example/v1"}
          - {name: new, url: "http://new.example/v1"}
        models:
          m: [{backend: b, model: x}]
          same: [{backend: b, model: y}]
          fresh: [{backend: new, model: w}]
        """, Map.of("same", "p2"));
    ConfigDiff d = ConfigDiff.between(before, after);
    assertEquals(List.of("fresh"), d.aliasesAdded());
    assertEquals(List.of("old"), d.aliasesRemoved());
    assertEquals(List.of("m"), d.aliasesModified());
    assertEquals(List.of("new"), d.backendsAdded());
    assertEquals(List.of("gone"), d.backendsRemoved());
    assertEquals(List.of("a"), d.backendsModified(), "a changed key is a modification");
    assertEquals(List.of("same"), d.promptsChanged());
    assertEquals(List.of("timeout"), d.settingsChanged());
    assertEquals(List.of("listen 127.0.0.1:8765 -> 127.0.0.1:9999"), d.needsRestart());
    String summary = d.summary();
    assertTrue(summary.startsWith("aliases added [fresh]; aliases removed [old]; aliases modified [m]; "), summary);
    assertTrue(!summary.contains("k1") && !summary.contains("k2"), "never shows secrets: " + summary);
  }

  @Test
  void formattingAndCommentsAreNoChange() throws Exception {
    Snapshot before = Configs.compile(BEFORE);
    Snapshot after = Configs.compile("# a comment\n" + BEFORE.replace("{backend: a, model: x}", "{ backend: a,  model: x }"));
    ConfigDiff d = ConfigDiff.between(before, after);
    assertTrue(d.isEmpty(), d.summary());
    assertEquals("no changes", d.summary());
  }

  @Test
  void namesChangedTrafficDetectionAndFallbackSections() throws Exception {
    String base = """
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local}], n: [{backend: local}]}
        detection: {error_patterns: ["/over.?loaded/"]}
        trusted_proxies: [10.0.0.0/8]
        """;
    Snapshot before = Configs.compile(base, Map.of());
    assertEquals(List.of(), ConfigDiff.between(before, Configs.compile(base, Map.of())).settingsChanged(),
        "identical text, identical settings: compiled regexes must not count as changes");
    Snapshot after = Configs.compile(base.replace("over.?loaded", "busy")
        .replace("10.0.0.0/8", "10.0.0.0/16") + """
        rate_limit: {global_rps: 5}
        concurrency: {max_requests: 3}
        fallback: {alias_fallback: {m: [n]}}
        """, Map.of());
    assertEquals(List.of("detection", "fallback", "rate_limit", "concurrency", "trusted_proxies"),
        ConfigDiff.between(before, after).settingsChanged());
  }
}
