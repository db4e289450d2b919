package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import dev.llmproxy.support.Snapshots;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogMaskingTest {

  static final String OPENAI_KEY = "sk-proj-AbCdEf0123456789xyz";
  static final String ANTHROPIC_KEY = "sk-ant-api03-QwErTy987654321_-abc";
  static final String ODD_SECRET = "hunter2-not-a-known-shape";
  static final String PROXY_KEY = "proxy-key-5678";

  private final LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();

  @BeforeEach
  void register() {
    LogMasking.register(true, Set.of(ODD_SECRET, PROXY_KEY, "ab"));
  }

  @AfterEach
  void clear() {
    LogMasking.register(true, Set.of());
  }

  @Test
  void masksKeyShapesAndKeepsTheirPrefix() {
    assertEquals("key sk-**** and sk-ant-**** here",
        LogMasking.mask("key " + OPENAI_KEY + " and " + ANTHROPIC_KEY + " here"));
  }

  @Test
  void masksHeaderValuesInTheFormsDumpsUse() {
    assertEquals("Authorization: Bearer ****", LogMasking.mask("Authorization: Bearer abc.def-ghi"));
    assertEquals("{x-api-key=****, accept=*/*}", LogMasking.mask("{x-api-key=plainvalue, accept=*/*}"));
    assertEquals("{\"x-api-key\":\"****\"}", LogMasking.mask("{\"x-api-key\":\"plainvalue\"}"));
    assertEquals("authorization: ****", LogMasking.mask("authorization: Basic"));
  }

  @Test
  void masksConfiguredSecretsOfAnyShape() {
    assertEquals("upstream said **** and ****", LogMasking.mask("upstream said " + ODD_SECRET + " and " + PROXY_KEY));
  }

  @Test
  void everySecretOfASnapshotIsMasked(@TempDir Path dir) throws Exception {
    LogMasking.register(Snapshots.load(dir, """
        proxy_api_key: proxy-key-of-the-config
        client_keys: {team: team-key-of-the-config}
        ui: {password: ui-password-of-the-config}
        backends:
          - {name: a, url: "http://127.0.0.1:1", api_key: backend-key-of-the-config,
             headers: {x-extra: header-secret-of-the-config}}
          - {name: aws, type: bedrock, region: us-east-1, access_key_id: AKIACONFIGKEYID00001,
             secret_access_key: aws-secret-of-the-config, session_token: aws-token-of-the-config}
        models: {m: [{backend: a, model: x}]}
        """));
    for (String secret : List.of("proxy-key-of-the-config", "team-key-of-the-config", "ui-password-of-the-config",
        "backend-key-of-the-config", "header-secret-of-the-config", "AKIACONFIGKEYID00001",
        "aws-secret-of-the-config", "aws-token-of-the-config")) {
      assertEquals("saw ****", LogMasking.mask("saw " + secret), secret);
    }
  }

  @Test
  void leavesOrdinaryTextAlone() {
    String text = "task-management ask-me desk-top: 12 tokens, model gpt-4o, about the lab";
    assertEquals(text, LogMasking.mask(text), "words merely containing sk- or a too-short secret stay intact");
    String warning = "backends[1].api_key: environment variable OPENAI_API_KEY is not set";
    assertEquals(warning, LogMasking.mask(warning), "config messages stay readable");
  }

  @Test
  void patternMaskingCanBeTurnedOffButConfiguredSecretsStayMasked() {
    LogMasking.register(false, Set.of(ODD_SECRET));
    assertEquals("sk-abcdefghijkl ****", LogMasking.mask("sk-abcdefghijkl " + ODD_SECRET));
  }

  @Test
  void jsonLinesAreMaskedInMessageFieldsNestedMapsAndStackTraces() {
    var encoder = LogSetup.jsonEncoder(lc);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("authorization", "Bearer " + PROXY_KEY);
    headers.put("x-api-key", "whatever-shape");
    headers.put("content-type", "application/json");
    LoggingEvent event = new LoggingEvent("test", lc.getLogger("t"), Level.ERROR,
        "calling with " + OPENAI_KEY + " {}",
        new IllegalStateException("boom " + ANTHROPIC_KEY),
        new Object[] {kv("backend_key", ODD_SECRET), kv("headers", headers)});
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    for (String secret : new String[] {OPENAI_KEY, ANTHROPIC_KEY, ODD_SECRET, PROXY_KEY, "whatever-shape"}) {
      assertFalse(line.contains(secret), "leaked " + secret + " in " + line);
    }
    JsonObject json = new JsonObject(line);
    assertEquals("****", json.getString("backend_key"));
    assertEquals("****", json.getJsonObject("headers").getString("authorization"));
    assertEquals("application/json", json.getJsonObject("headers").getString("content-type"));
    assertTrue(json.getString("message").startsWith("calling with sk-****"), json.getString("message"));
    assertTrue(json.getString("stack_trace").contains("boom sk-ant-****"));
  }

  @Test
  void theDefaultConsoleOfLogbackXmlIsMaskedToo() {
    LogSetup.restoreDefaults();
    var appender = (ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
        lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    LoggingEvent event = new LoggingEvent("test", lc.getLogger("t"), Level.INFO, "key {} and {}", null,
        new Object[] {OPENAI_KEY, kv("proxy", PROXY_KEY)});
    String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    assertFalse(line.contains(OPENAI_KEY), line);
    assertFalse(line.contains(PROXY_KEY), line);
    assertTrue(line.contains("sk-****"), line);
  }

  @Test
  void textLinesAreMaskedAndCarryTheStructuredFields() {
    TextLineLayout layout = new TextLineLayout();
    layout.setContext(lc);
    layout.start();
    LoggingEvent event = new LoggingEvent("test", lc.getLogger("llmproxy.access"), Level.INFO,
        "{} {}", null, new Object[] {kv("method", "POST"), kv("status", 200), kv("trace_id", "t-1"),
        kv("secret", ODD_SECRET)});
    String line = layout.doLayout(event);
    assertTrue(line.contains(" INFO  llmproxy.access - method=POST status=200 trace_id=t-1 secret=****"), line);
    assertFalse(line.contains(ODD_SECRET));
  }
}
