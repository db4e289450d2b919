package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

  private static final String BASE = """
      backends: [{name: local, type: echo}]
      models: {m: [{backend: local}]}
      """;

  @Test
  void absentSectionMeansSafeDefaults() throws Exception {
    ServerSettings s = Configs.compile(BASE).server();
    assertEquals(ServerSettings.DEFAULTS, s);
    assertEquals(Duration.ofSeconds(60), s.idleTimeout());
    assertEquals(Duration.ofSeconds(30), s.headerTimeout());
    assertEquals(Duration.ofSeconds(60), s.bodyTimeout());
    assertEquals(4096, s.maxConnections());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    ServerSettings s = Configs.compile(BASE
        + "server: {idle_timeout: 5s, header_timeout: 250ms, body_timeout: 2m, max_connections: 0}\n").server();
    assertEquals(new ServerSettings(Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofMinutes(2), 0), s);
  }

  @Test
  void badValuesNameTheirField() {
    ConfigException e = assertThrows(ConfigException.class, () -> Configs.compile(BASE
        + "server: {idle_timeout: soon, max_connections: -1}\n"));
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("server.idle_timeout: invalid duration")),
        e.problems().toString());
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("server.max_connections: must be zero")),
        e.problems().toString());
  }
}
