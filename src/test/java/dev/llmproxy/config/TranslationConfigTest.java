package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Protocol;
import org.junit.jupiter.api.Test;

/** {@code backends[].translation}, {@code backends[].demote_nonstreaming}, {@code routes[].demote_nonstreaming}. */
class TranslationConfigTest {

  @Test
  void defaultsWhenAbsent() throws Exception {
    Snapshot s = Configs.compile("""
        backends: [{name: a, url: "http://127.0.0.1:1/v1", protocol: anthropic}]
        models: {m: [{backend: a, model: x}]}
        """);
    Backend a = s.backends().get("a");
    assertEquals(BackendTranslation.DEFAULTS, a.translation());
    assertFalse(a.demoteNonstreaming());
    Route route = s.aliases().get("m").routes().get(0);
    assertNull(route.demoteNonstreaming());
    assertFalse(route.demotes(a));
    assertTrue(s.warnings().isEmpty(), s.warnings().toString());
  }

  @Test
  void compiledAndTheRouteOverridesItsBackend() throws Exception {
    Snapshot s = Configs.compile("""
        backends:
          - {name: a, url: "http://127.0.0.1:1/v1", protocol: anthropic, demote_nonstreaming: true,
             translation: {default_max_tokens: 8192}}
          - {name: o, url: "http://127.0.0.1:2/v1",
             translation: {max_tokens_field: max_tokens, reasoning_effort: false}}
        models:
          m:
            - {backend: a, model: x, demote_nonstreaming: false}
            - {backend: a, model: y, priority: 2}
            - {backend: o, model: z, priority: 3, demote_nonstreaming: true}
        """);
    Backend a = s.backends().get("a");
    Backend o = s.backends().get("o");
    assertEquals(new BackendTranslation(8192, "max_completion_tokens", true), a.translation());
    assertEquals(new BackendTranslation(4096, "max_tokens", false), o.translation());
    var routes = s.aliases().get("m").routes();
    assertFalse(routes.get(0).demotes(a));
    assertTrue(routes.get(1).demotes(a));
    assertTrue(routes.get(2).demotes(o));
    assertTrue(s.warnings().isEmpty(), s.warnings().toString());
  }

  @Test
  void badValuesNameTheirField() {
    ConfigException e = assertThrows(ConfigException.class, () -> Configs.compile("""
        backends:
          - {name: a, url: "http://127.0.0.1:1/v1", demote_nonstreaming: maybe,
             translation: {default_max_tokens: 0, max_tokens_field: tokens, colour: red}}
        models:
          m: [{backend: a, model: x, demote_nonstreaming: 3}]
        """));
    String message = e.getMessage();
    assertTrue(message.contains("backends[0].demote_nonstreaming: must be true or false"), message);
    assertTrue(message.contains("backends[0].translation.default_max_tokens: must be from 1 to 1000000"), message);
    assertTrue(message.contains(
        "backends[0].translation.max_tokens_field: must be max_completion_tokens or max_tokens"), message);
    assertTrue(message.contains("models[\"m\"][0].demote_nonstreaming: must be true or false"), message);
  }

  @Test
  void anEchoBackendSpeaksBothProtocolsUnlessItDeclaresOne() throws Exception {
    Snapshot s = Configs.compile("""
        backends: [{name: both, type: echo}, {name: claude-echo, type: echo, protocol: anthropic}]
        models: {m: [{backend: both}, {backend: claude-echo}]}
        """);
    Backend both = s.backends().get("both");
    Backend claude = s.backends().get("claude-echo");
    assertTrue(both.speaks(Protocol.OPENAI) && both.speaks(Protocol.ANTHROPIC));
    assertTrue(claude.speaks(Protocol.ANTHROPIC));
    assertFalse(claude.speaks(Protocol.OPENAI), "OpenAI requests are translated for it");
  }
}
