package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficSectionsTest {

  private static final String BASE = """
      listen: "127.0.0.1:0"
      backends:
        - {name: local, type: echo}
      models:
        gpt-4: [{backend: local}]
      """;

  static Snapshot compile(String yaml) throws ConfigException {
    Path file = Path.of("/tmp/llm-proxy-test/config.yaml");
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(file, Configs.tree(file, bytes), "x", 1);
  }

  @Test
  void absentSectionsMeanOff() throws Exception {
    Snapshot s = compile(BASE);
    assertFalse(s.rateLimit().enabled());
    assertFalse(s.concurrency().enabled());
    assertEquals(0, s.concurrency().backendLimit());
    assertTrue(s.trustedProxies().isEmpty());
  }

  @Test
  void readsEveryKey() throws Exception {
    Snapshot s = compile(BASE + """
        rate_limit:
          global_rps: 1000
          per_ip_rps: 100
          burst_factor: 1.5
          per_model_rps: {gpt-4: 50}
          per_key_rps: {}
        concurrency: {max_requests: 500, max_queue_size: 1000, queue_timeout: 30s, per_backend_limit: 100}
        trusted_proxies: ["10.0.0.0/8", "127.0.0.1", "::1"]
        """);
    RateLimitSettings r = s.rateLimit();
    assertTrue(r.enabled(), "a present section is on unless enabled: false");
    assertEquals(1000, r.globalRps());
    assertEquals(100, r.perIpRps());
    assertEquals(150, r.capacity(100));
    assertEquals(Map.of("gpt-4", 50L), r.perModelRps());
    assertEquals(new ConcurrencySettings(true, 500, 1000, Duration.ofSeconds(30), 100), s.concurrency());
    assertTrue(s.trustedProxies().contains("10.1.2.3"));
    assertTrue(s.trustedProxies().contains("127.0.0.1"));
    assertTrue(s.trustedProxies().contains("::1"));
    assertFalse(s.trustedProxies().contains("11.0.0.1"));
    assertFalse(s.trustedProxies().contains("127.0.0.2"));
  }

  @Test
  void everyProblemNamesItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> compile(BASE + """
        rate_limit:
          global_rps: -1
          burst_factor: 0
          per_model_rps: {gpt-4: lots}
          per_key_rps: {abc: 5}
        concurrency: {max_requests: 0, queue_timeout: soon}
        trusted_proxies: ["10.0.0.0/33", "proxy.example.com", "300.1.1.1"]
        """));
    String all = String.join("\n", e.problems());
    for (String path : new String[] {"rate_limit.global_rps", "rate_limit.burst_factor",
        "rate_limit.per_model_rps[\"gpt-4\"]", "rate_limit.per_key_rps", "concurrency.max_requests",
        "concurrency.queue_timeout", "trusted_proxies[0]", "trusted_proxies[1]", "trusted_proxies[2]"}) {
      assertTrue(all.contains(path), "no problem reported at " + path + " in:\n" + all);
    }
  }

  @Test
  void unknownAliasInPerModelIsAWarning() throws Exception {
    Snapshot s = compile(BASE + "rate_limit: {per_model_rps: {gpt-5: 3}, globl_rps: 4}\n");
    String all = String.join("\n", s.warnings());
    assertTrue(all.contains("rate_limit.per_model_rps[\"gpt-5\"]"), all);
    assertTrue(all.contains("rate_limit.globl_rps"), all);
  }
}
