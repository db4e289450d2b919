package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvExpanderTest {

  private final EnvExpander env = new EnvExpander(Map.of("SET", "v", "EMPTY", ""));

  @Test
  void expandsSetUnsetAndDefaults() {
    assertEquals(new EnvExpander.Expansion("a-v-b", List.of()), env.expand("a-${SET}-b"));
    assertEquals(new EnvExpander.Expansion("", List.of("NOPE")), env.expand("${NOPE}"));
    assertEquals(new EnvExpander.Expansion("dflt", List.of()), env.expand("${NOPE:-dflt}"));
    assertEquals(new EnvExpander.Expansion("dflt", List.of()), env.expand("${EMPTY:-dflt}"), "empty counts as unset with :-");
    assertEquals(new EnvExpander.Expansion("", List.of()), env.expand("${EMPTY}"));
    assertEquals(new EnvExpander.Expansion("$notavar ${", List.of()), env.expand("$notavar ${"));
    assertEquals(new EnvExpander.Expansion("x$1y", List.of()), new EnvExpander(Map.of("R", "$1")).expand("x${R}y"),
        "replacement text is literal");
  }
}
