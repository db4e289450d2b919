package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The YAML goes through vertx-config-yaml's processor, and what the processor lets pass (duplicate keys) or
 * reports without a position is refused with one, with the messages the loader always gave.
 */
@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  private static final String BACKENDS = "backends: [{name: local, type: echo}]\n";
  private static final String MODELS = "models: {m: [{backend: local}]}\n";

  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private List<String> problems(Vertx vertx, String yaml) throws Exception {
    Path file = write(yaml);
    return assertThrows(ConfigException.class, () -> new ConfigLoader(vertx, Map.of()).loadAndWait(file)).problems();
  }

  @Test
  void theTreeIsTheProcessorsJsonObjectWithTimestampsAsInstants(Vertx vertx) throws Exception {
    byte[] yaml = ("proxy: {watch_interval: 1s}\nreleased: 2023-06-01\n" + BACKENDS).getBytes(StandardCharsets.UTF_8);
    JsonObject tree = new ConfigLoader(vertx, Map.of()).parseAndWait(write(""), yaml);
    // SnakeYAML alone gives LinkedHashMaps and java.util.Date; these are the processor's conversions.
    assertInstanceOf(JsonObject.class, tree.getMap().get("proxy"));
    assertEquals(Instant.parse("2023-06-01T00:00:00Z"), tree.getMap().get("released"));
  }

  @Test
  void anUnquotedDateOrTimestampReadsAsTextNotAsAJavaDate(Vertx vertx) throws Exception {
    Snapshot s = new ConfigLoader(vertx, Map.of()).loadAndWait(write("""
        backends:
          - name: a
            url: http://127.0.0.1:9/v1
            headers: {anthropic-version: 2023-06-01, x-since: 2023-06-01 10:30:00}
        models: {m: [{backend: a, model: x}]}
        detection: {error_patterns: [2024-02-29]}
        """));
    Map<String, Secret> headers = s.backends().get("a").headers();
    assertEquals("2023-06-01", headers.get("anthropic-version").value());
    assertEquals("2023-06-01T10:30:00Z", headers.get("x-since").value());
    // Inside a list the processor leaves SnakeYAML's java.util.Date: read the same way.
    assertTrue(s.detection().bodyMatches("limit resets on 2024-02-29"));
  }

  @Test
  void aMergeKeyIsResolvedAndItsOverrideIsNoDuplicate(Vertx vertx) throws Exception {
    Snapshot s = new ConfigLoader(vertx, Map.of()).loadAndWait(write("""
        backends:
          - &base {name: a, url: "http://127.0.0.1:9/v1", headers: {x-team: blue}}
          - {<<: *base, name: b}
        models: {m: [{backend: a, model: x}, {backend: b, model: y}]}
        """));
    assertEquals("http://127.0.0.1:9/v1", s.backends().get("b").url());
    assertEquals("blue", s.backends().get("b").headers().get("x-team").value());
  }

  @Test
  void aDuplicateKeyIsRefusedWithTheLineAndColumnOfItsSecondUse(Vertx vertx) throws Exception {
    assertEquals(List.of("invalid YAML at line 3, column 1: found duplicate key models"),
        problems(vertx, BACKENDS + MODELS + "models: {n: [{backend: local}]}\n"));
    assertEquals(List.of("invalid YAML at line 2, column 31: found duplicate key backend"),
        problems(vertx, BACKENDS + "models: {m: [{backend: local, backend: other}]}\n"));
    assertEquals(List.of("invalid YAML at line 5, column 5: found duplicate key url"), problems(vertx, """
        backends:
          - name: a
            url: http://127.0.0.1:9/v1
            api_key: k
            url: http://127.0.0.1:8/v1
        """ + MODELS));
  }

  @Test
  void keysAreComparedAsSnakeYamlConstructsThem(Vertx vertx) throws Exception {
    // yes and true are both the boolean true: the processor would keep the second and drop the first silently.
    assertEquals(List.of("invalid YAML at line 1, column 56: found duplicate key true"),
        problems(vertx, "backends: [{name: local, type: echo, headers: {yes: 1, true: 2}}]\n" + MODELS));
  }

  @Test
  void aDuplicateInsideAnAnchoredMappingIsReportedWhereItIsWritten(Vertx vertx) throws Exception {
    assertEquals(List.of("invalid YAML at line 2, column 21: found duplicate key type"), problems(vertx, """
        backends:
          - &e {type: echo, type: http, name: a}
          - {<<: *e, name: b}
        """ + MODELS));
  }

  @Test
  void syntaxErrorsKeepTheirLineAndColumn(Vertx vertx) throws Exception {
    assertEquals(List.of("invalid YAML at line 3, column 7: expected ',' or '}', but got :"),
        problems(vertx, "backends:\n  - {name: a\nmodels: x\n"));
    assertEquals(List.of("invalid YAML at line 2, column 1: expected the node content, but found '<stream end>'"),
        problems(vertx, "models: [\n"));
  }

  @Test
  void aTagOnlyTheProcessorConstructsIsRefusedWithItsPosition(Vertx vertx) throws Exception {
    // The check composes nodes only; this error comes from the processor's own SnakeYAML load.
    assertEquals(List.of("invalid YAML at line 3, column 20: could not determine a constructor for the tag !seconds"),
        problems(vertx, BACKENDS + MODELS + "timeout: {connect: !seconds 5}\n"));
  }

  @Test
  void anEmptyFileOrOneThatIsNotAMappingIsNamedAsSuch(Vertx vertx) throws Exception {
    assertEquals(List.of("file is empty"), problems(vertx, ""));
    assertEquals(List.of("file is empty"), problems(vertx, "# nothing yet\n"));
    assertEquals(List.of("file is empty"), problems(vertx, "---\n"));
    assertEquals(List.of("top level must be a mapping of settings"), problems(vertx, "- listen\n- backends\n"));
    assertEquals(List.of("invalid YAML at line 3, column 1: a key must not be empty (null)"),
        problems(vertx, BACKENDS + MODELS + "~: x\n"));
  }

  @Test
  void aMissingOrUnreadableFileIsNamedAsBefore(Vertx vertx) throws Exception {
    ConfigLoader loader = new ConfigLoader(vertx, Map.of());
    assertEquals(List.of("file not found"),
        assertThrows(ConfigException.class, () -> loader.loadAndWait(dir.resolve("absent.yaml"))).problems());
    // A relative name that is not on disk is not looked up on the class path (Vert.x would): logback.xml is there.
    assertEquals(List.of("file not found"),
        assertThrows(ConfigException.class, () -> loader.loadAndWait(Path.of("logback.xml"))).problems());
    assertEquals(List.of("cannot read: Is a directory"),
        assertThrows(ConfigException.class, () -> loader.loadAndWait(dir)).problems());
  }

  @Test
  void waitingForALoadOnAVertxThreadIsRefusedInsteadOfDeadlocking(Vertx vertx) throws Exception {
    Path file = write(BACKENDS + MODELS);
    ConfigLoader loader = new ConfigLoader(vertx, Map.of());
    Throwable refused = vertx.executeBlocking(() -> {
      try {
        loader.loadAndWait(file);
        return null;
      } catch (IllegalStateException e) {
        return e;
      }
    }).await();
    assertInstanceOf(IllegalStateException.class, refused);
    // Chained instead, the same load completes from inside that same worker task.
    Snapshot chained = vertx.executeBlocking(() -> loader.load(file)).compose(f -> f).await();
    assertEquals(1, chained.aliases().size());
  }

  @Test
  void versionsCountUpAcrossLoads(Vertx vertx) throws Exception {
    Path file = write(BACKENDS + MODELS);
    ConfigLoader loader = new ConfigLoader(vertx, Map.of()).continuingAfter(41);
    assertEquals(42, loader.loadAndWait(file).version());
    assertEquals(43, loader.loadAndWait(file).version());
  }
}
