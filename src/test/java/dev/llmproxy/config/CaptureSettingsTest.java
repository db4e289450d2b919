package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code capture:} section: defaults, every key, env overrides, errors that name the field. */
class CaptureSettingsTest {

  private static Snapshot compile(String extra, Map<String, String> env) throws ConfigException {
    return Configs.compileWithEnv(Configs.ECHO_BASE + extra, env);
  }

  private static List<String> problems(String extra, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> compile(extra, env)).problems();
  }

  @Test
  void absentMeansOff() throws ConfigException {
    CaptureSettings c = compile("", Map.of()).capture();
    assertFalse(c.present());
    assertFalse(c.enabled());
    assertEquals(CaptureSettings.StoreType.NONE, c.store().type());
  }

  @Test
  void aPresentSectionIsOnWithEmbeddedDefaults() throws ConfigException {
    Snapshot s = compile("capture: {}\n", Map.of());
    CaptureSettings c = s.capture();
    assertTrue(c.enabled());
    assertEquals(Path.of("/etc/llm-proxy/data"), c.directory());
    assertEquals("{date}/{alias}", c.layout());
    assertEquals(100L * 1024 * 1024, c.maxFileBytes());
    assertTrue(c.includeHeaders());
    assertFalse(c.includeRawEvents());
    assertEquals(10_485_760, c.maxBodyBytes());
    assertEquals(10_000, c.queueSize());
    assertEquals("X-Session-ID", c.sessionHeader());
    assertEquals(CaptureSettings.StoreType.SQLITE, c.store().type());
    assertEquals(Path.of("/etc/llm-proxy/data/requests.db"), c.store().path());
    assertEquals(30, c.store().retentionDays());
    assertFalse(c.loki().enabled());
    assertEquals(Map.of("app", "llm-proxy"), c.loki().labels());
    assertTrue(s.warnings().isEmpty(), s.warnings().toString());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    CaptureSettings c = compile("""
        capture:
          enabled: false
          directory: /var/capture
          layout: "{backend}/{date}"
          max_file_mb: 7
          include_headers: false
          include_raw_events: true
          max_body_bytes: 2048
          queue_size: 3
          session_header: X-Conversation
          store:
            type: postgres
            url: "postgresql://cap:p%40ss@db.internal:6543/llm?sslmode=require"
            retention_days: 0
          loki:
            enabled: true
            url: http://loki:3100/loki/api/v1/push
            username: grafana
            password: loki-basic-secret
            tenant_id: team-a
            batch_size: 10
            batch_wait: 250ms
            retry_max: 2
            use_gzip: false
            labels: {environment: staging, region: eu}
            max_line_bytes: 4096
        """, Map.of()).capture();
    assertFalse(c.enabled());
    assertEquals(Path.of("/var/capture"), c.directory());
    assertEquals("{backend}/{date}", c.layout());
    assertEquals(7L * 1024 * 1024, c.maxFileBytes());
    assertFalse(c.includeHeaders());
    assertTrue(c.includeRawEvents());
    assertEquals(2048, c.maxBodyBytes());
    assertEquals(3, c.queueSize());
    assertEquals("X-Conversation", c.sessionHeader());
    CaptureSettings.Store store = c.store();
    assertEquals(CaptureSettings.StoreType.POSTGRES, store.type());
    assertEquals("jdbc:postgresql://db.internal:6543/llm?sslmode=require", store.jdbcUrl());
    assertEquals("cap", store.user());
    assertEquals("p@ss", store.password().value());
    assertEquals(0, store.retentionDays());
    CaptureSettings.Loki loki = c.loki();
    assertTrue(loki.enabled());
    assertEquals("http://loki:3100/loki/api/v1/push", loki.url());
    assertEquals("grafana", loki.username());
    assertEquals("loki-basic-secret", loki.password().value());
    assertEquals("team-a", loki.tenantId());
    assertEquals(10, loki.batchSize());
    assertEquals(Duration.ofMillis(250), loki.batchWait());
    assertEquals(2, loki.retryMax());
    assertFalse(loki.useGzip());
    assertEquals(Map.of("app", "llm-proxy", "environment", "staging", "region", "eu"), loki.labels());
    assertEquals(4096, loki.maxLineBytes());
    assertEquals(2, c.secrets().size());
  }

  @Test
  void environmentOverridesTheFile() throws ConfigException {
    CaptureSettings c = compile("""
        capture:
          directory: data
          loki: {enabled: false, url: http://file:3100/loki/api/v1/push, batch_size: 5, labels: {environment: dev}}
        """, Map.of(
        "LLM_PROXY_CAPTURE_DIR", "/srv/dataset",
        "LLM_PROXY_LOKI_ENABLED", "true",
        "LLM_PROXY_LOKI_URL", "http://env:3100/loki/api/v1/push",
        "LLM_PROXY_LOKI_AUTH_TOKEN", "loki-token-from-env",
        "LLM_PROXY_LOKI_BATCH_SIZE", "42",
        "LLM_PROXY_LOKI_BATCH_WAIT", "2s",
        "LLM_PROXY_LOKI_RETRY_MAX", "9",
        "LLM_PROXY_LOKI_USE_GZIP", "false",
        "LLM_PROXY_LOKI_ENVIRONMENT", "production")).capture();
    assertEquals(Path.of("/srv/dataset"), c.directory());
    CaptureSettings.Loki loki = c.loki();
    assertTrue(loki.enabled());
    assertEquals("http://env:3100/loki/api/v1/push", loki.url());
    assertEquals("loki-token-from-env", loki.authToken().value());
    assertEquals(42, loki.batchSize());
    assertEquals(Duration.ofSeconds(2), loki.batchWait());
    assertEquals(9, loki.retryMax());
    assertFalse(loki.useGzip());
    assertEquals("production", loki.labels().get("environment"));
  }

  @Test
  void badValuesNameTheFieldOrTheVariable() {
    List<String> problems = problems("""
        capture:
          layout: "{date}/{user}"
          max_file_mb: 0
          queue_size: -1
          session_header: "X Session"
          store: {type: mysql}
          loki: {enabled: true, labels: {alias: x, "9bad": y}}
        """, Map.of());
    String all = String.join("\n", problems);
    assertTrue(all.contains("capture.layout: unknown placeholder {user}"), all);
    assertTrue(all.contains("capture.max_file_mb: must be a whole number from 1"), all);
    assertTrue(all.contains("capture.queue_size: must be a whole number from 1"), all);
    assertTrue(all.contains("capture.session_header: must be an HTTP header name"), all);
    assertTrue(all.contains("capture.store.type: must be sqlite, postgres or none, got \"mysql\""), all);
    assertTrue(all.contains("capture.loki.url: required when loki is enabled"), all);
    assertTrue(all.contains("capture.loki.labels[\"alias\"]: \"alias\" is set from each record"), all);
    assertTrue(all.contains("capture.loki.labels[\"9bad\"]: a Loki label name"), all);

    String env = String.join("\n", problems("capture: {loki: {url: http://l:3100/x}}\n",
        Map.of("LLM_PROXY_LOKI_BATCH_SIZE", "many")));
    assertTrue(env.contains("capture.loki.batch_size (from $LLM_PROXY_LOKI_BATCH_SIZE): must be a whole number"), env);

    String pg = String.join("\n", problems("capture: {store: {type: postgres, url: \"${LLM_PROXY_DB_URL:-}\"}}\n",
        Map.of()));
    assertTrue(pg.contains("capture.store.url: required when type is postgres"), pg);
    assertTrue(String.join("\n", problems("capture: {layout: \"../up\"}\n", Map.of()))
        .contains("capture.layout: must stay inside the capture directory"));
  }

  @Test
  void storeAndQueueChangesNeedARestartTheRestReloads() throws ConfigException {
    Snapshot before = compile("capture: {queue_size: 10, loki: {url: http://a:1/p}}\n", Map.of());
    Snapshot layout = compile("capture: {queue_size: 10, layout: \"{date}\", loki: {url: http://b:1/p}}\n", Map.of());
    ConfigDiff diff = ConfigDiff.between(before, layout);
    assertEquals(List.of("capture"), diff.settingsChanged());
    assertTrue(diff.needsRestart().isEmpty(), diff.needsRestart().toString());

    Snapshot restart = compile("capture: {queue_size: 20, store: {type: none}}\n", Map.of());
    List<String> needs = ConfigDiff.between(before, restart).needsRestart();
    assertEquals(2, needs.size(), needs.toString());
    assertTrue(needs.get(0).startsWith("capture.store sqlite:"), needs.toString());
    assertEquals("capture.queue_size 10 -> 20", needs.get(1));
  }

  @Test
  void urlCredentialsNeverShowInTheStoreIdentity() throws ConfigException {
    CaptureSettings.Store store = compile("capture: {store: {type: postgres, url: \"postgresql://u:hunter22@h/db\"}}\n",
        Map.of()).capture().store();
    assertFalse(store.identity().contains("hunter22"), store.identity());
    assertNull(compile("capture: {store: {type: postgres, url: \"postgresql://h/db\"}}\n", Map.of()).capture()
        .store().password());
  }
}
