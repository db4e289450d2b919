package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static final String BASE = """
      listen: "127.0.0.1:0"
      backends:
        - {name: local, type: echo}
      models:
        gpt-4: [{backend: local}]
      """;

  @Test
  void absentOrEmptyUrlMeansASingleProcess() throws Exception {
    assertFalse(Configs.compile(BASE).cluster().enabled());
    Snapshot empty = Configs.compile(BASE + "cluster:\n  redis: {url: \"${NO_SUCH_VAR:-}\"}\n");
    assertFalse(empty.cluster().enabled());
    assertTrue(empty.warnings().isEmpty(), "the documented way to switch it off is silent: " + empty.warnings());
  }

  @Test
  void fullSectionWithDefaults() throws Exception {
    ClusterSettings c = Configs.compile(BASE + "cluster:\n  redis: {url: \"redis://:pw@10.0.0.5:6379/1\"}\n")
        .cluster();
    assertTrue(c.enabled());
    assertEquals("redis://:pw@10.0.0.5:6379/1", c.redisUrl().value());
    assertEquals("[REDACTED]", c.redisUrl().toString(), "the URL may carry a password");
    assertEquals(java.util.Optional.of("pw"), c.redisPassword(), "logs mask the password alone too");
    assertEquals("llm-proxy:", c.keyPrefix());
    assertEquals(Duration.ofMillis(50), c.timeout());
    assertEquals(ClusterSettings.OnUnavailable.LOCAL, c.onUnavailable());
    assertEquals(ClusterSettings.BackendLimitScope.REPLICA, c.backendLimitScope());
    assertEquals(Duration.ofSeconds(30), c.leaseTtl());

    ClusterSettings all = Configs.compile(BASE + """
        cluster:
          redis: {url: "rediss://cache:6380/0", key_prefix: "gw-a:", timeout: 20ms, on_unavailable: reject}
          per_backend_limit: fleet
          lease_ttl: 10s
        """).cluster();
    assertEquals("gw-a:", all.keyPrefix());
    assertEquals(Duration.ofMillis(20), all.timeout());
    assertEquals(ClusterSettings.OnUnavailable.REJECT, all.onUnavailable());
    assertEquals(ClusterSettings.BackendLimitScope.FLEET, all.backendLimitScope());
    assertEquals(Duration.ofSeconds(10), all.leaseTtl());
  }

  @Test
  void everyProblemIsNamedByItsField() {
    ConfigException e = assertThrows(ConfigException.class, () -> Configs.compile(BASE + """
        cluster:
          redis: {url: "http://user:secret@cache:6379", timeout: 30s, on_unavailable: maybe, key_prefix: ""}
          per_backend_limit: galaxy
          lease_ttl: 1s
        """));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("cluster.redis.url: must be a redis://, rediss:// or redis-sentinel:// URL"), all);
    assertFalse(all.contains("secret"), "the password is never echoed: " + all);
    assertTrue(all.contains("cluster.redis.timeout: must be from 1ms to 10s"), all);
    assertTrue(all.contains("cluster.redis.on_unavailable: must be local or reject, got \"maybe\""), all);
    assertTrue(all.contains("cluster.redis.key_prefix: must be non-empty"), all);
    assertTrue(all.contains("cluster.per_backend_limit: must be replica or fleet, got \"galaxy\""), all);
    assertTrue(all.contains("cluster.lease_ttl: must be from 3s to 1h"), all);
  }

  @Test
  void aChangedClusterSectionWaitsForARestart() throws Exception {
    Snapshot before = Configs.compile(BASE + "cluster:\n  redis: {url: \"redis://a:6379\"}\n");
    Snapshot after = Configs.compile(BASE + "cluster:\n  redis: {url: \"redis://b:6379\"}\n");
    assertEquals(java.util.List.of("cluster"), ConfigDiff.between(before, after).needsRestart());
  }
}
