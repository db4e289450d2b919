package dev.llmproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.FreePort;
import dev.llmproxy.support.JarProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of the built jar, as an operator uses it. */
class CliIT {

  @TempDir Path dir;

  private static final String VALID = """
      listen: "127.0.0.1:%d"
      backends:
        - {name: local, type: echo}
        - {name: openai, url: https://api.openai.com/v1, api_key: "${OPENAI_API_KEY}"}
      models:
        gpt-4: [{backend: openai, model: gpt-4-turbo, priority: 1}, {backend: local, model: echo, priority: 2}]
      """;

  private JarProcess run(String... args) throws Exception {
    return JarProcess.start(dir, Map.of(), args);
  }

  @Test
  void versionAndHelp() throws Exception {
    try (JarProcess p = run("--version")) {
      assertEquals(0, p.waitFor(30));
      assertTrue(p.awaitLine("llm-proxy ", 5).matches("llm-proxy \\d+\\.\\d+\\.\\d+.*"), p.output());
    }
    try (JarProcess p = run("--help")) {
      assertEquals(0, p.waitFor(30));
      p.awaitLine("--validate", 5);
    }
    try (JarProcess p = run("--bogus")) {
      assertEquals(2, p.waitFor(30));
      p.awaitLine("unknown argument \"--bogus\"", 5);
    }
  }

  @Test
  void exportNeedsAStoreAndItsFiltersNeedExport() throws Exception {
    Files.writeString(dir.resolve("nostore.yaml"), VALID.formatted(8765));
    try (JarProcess p = run("-config", "nostore.yaml", "--export")) {
      assertEquals(1, p.waitFor(30), p.output());
      p.awaitLine("--export reads the capture store, and the config has none", 5);
    }
    try (JarProcess p = run("-config", "nostore.yaml", "--since", "1h")) {
      assertEquals(2, p.waitFor(30), p.output());
      p.awaitLine("--since only goes with --export", 5);
    }
    Files.writeString(dir.resolve("store.yaml"), VALID.formatted(8765) + "capture: {directory: data}\n");
    try (JarProcess p = run("-config", "store.yaml", "--export", "--since", "last tuesday")) {
      assertEquals(2, p.waitFor(30), p.output());
      p.awaitLine("\"last tuesday\" is not an instant", 5);
    }
    try (JarProcess p = run("-config", "store.yaml", "--export", "--since", "24h")) {
      assertEquals(0, p.waitFor(30), p.output());
      p.awaitLine("exported 0 records", 5);
      assertTrue(p.output().lines().noneMatch(l -> l.startsWith("{")), "nothing but records on stdout: " + p.output());
    }
  }

  @Test
  void validateAcceptsAGoodFileAndWarnsAboutDisabledBackends() throws Exception {
    Files.writeString(dir.resolve("good.yaml"), VALID.formatted(8765));
    try (JarProcess p = run("--validate", "-config", "good.yaml")) {
      assertEquals(0, p.waitFor(30), p.output());
      p.awaitLine("good.yaml: OK (2 backends, 1 model aliases)", 5);
      p.awaitLine("backend \"openai\" disabled: environment variable OPENAI_API_KEY is not set", 5);
    }
  }

  @Test
  void validateNamesFileAndFieldOfEveryProblem() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), """
        backends: [{name: a, url: "not a url"}]
        models: {m: [{backend: b, model: x}]}
        """);
    try (JarProcess p = run("--config", "bad.yaml", "--validate")) {
      assertEquals(1, p.waitFor(30));
      p.awaitLine("llm-proxy: bad.yaml: backends[0].url: must be an http:// or https:// URL", 5);
      p.awaitLine("llm-proxy: bad.yaml: models[\"m\"][0].backend: unknown backend \"b\"", 5);
    }
  }

  @Test
  void validateShowsATypoFirstWithASuggestionThenTheErrorsItCaused() throws Exception {
    Files.writeString(dir.resolve("typo.yaml"), """
        backend:
          - {name: local, type: echo}
        models: {m: [{backend: local}]}
        """);
    try (JarProcess p = run("--validate", "-config", "typo.yaml")) {
      assertEquals(1, p.waitFor(30), p.output());
      List<String> lines = p.output().lines().toList();
      assertEquals("llm-proxy: typo.yaml: warning: backend: unknown key (ignored); did you mean `backends`?",
          lines.get(0), p.output());
      assertTrue(lines.contains("llm-proxy: typo.yaml: backends: at least one backend is required"), p.output());
    }
  }

  @Test
  void validateRefusesADuplicateKeyAndASyntaxErrorWithTheirLineAndColumn() throws Exception {
    // vertx-config-yaml's processor alone would keep the second url and say nothing.
    Files.writeString(dir.resolve("dup.yaml"), """
        backends:
          - name: openai
            url: https://api.openai.com/v1
            url: https://example.com/v1
        models: {m: [{backend: openai, model: x}]}
        """);
    try (JarProcess p = run("--validate", "-config", "dup.yaml")) {
      assertEquals(1, p.waitFor(30), p.output());
      assertEquals("llm-proxy: dup.yaml: invalid YAML at line 4, column 5: found duplicate key url",
          p.output().trim());
    }
    Files.writeString(dir.resolve("broken.yaml"), "backends:\n  - {name: a\nmodels: x\n");
    try (JarProcess p = run("--validate", "-config", "broken.yaml")) {
      assertEquals(1, p.waitFor(30), p.output());
      assertEquals("llm-proxy: broken.yaml: invalid YAML at line 3, column 7: expected ',' or '}', but got :",
          p.output().trim());
    }
  }

  @Test
  void startupRefusesADuplicateKeyAndASyntaxErrorWithTheirLineAndColumn() throws Exception {
    Files.writeString(dir.resolve("config.yaml"), VALID.formatted(0) + "listen: \"127.0.0.1:0\"\n");
    try (JarProcess p = run()) {
      assertEquals(1, p.waitFor(30), p.output());
      assertEquals("llm-proxy: config.yaml: invalid YAML at line 7, column 1: found duplicate key listen",
          p.output().trim());
    }
    Files.writeString(dir.resolve("config.yaml"), VALID.formatted(0).replace("models:", "models: ["));
    try (JarProcess p = run()) {
      assertEquals(1, p.waitFor(30), p.output());
      assertEquals("llm-proxy: config.yaml: invalid YAML at line 7, column 1:"
          + " expected ',' or ']', but got <stream end>", p.output().trim());
    }
  }

  @Test
  void missingConfigExitsNonZeroWithOneClearLine() throws Exception {
    try (JarProcess p = run()) {
      assertEquals(1, p.waitFor(30));
      assertEquals("llm-proxy: config.yaml: file not found", p.output().trim());
    }
  }

  @Test
  void servesAFirstRequestThroughTheEchoBackendWithNoKeys() throws Exception {
    int port = FreePort.loopback();
    Files.writeString(dir.resolve("config.yaml"), VALID.formatted(port));
    try (JarProcess p = run("-config", "config.yaml")) {
      p.awaitLine("listening on http://127.0.0.1:" + port, 60);
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("[echo] ping"), r.body());
      assertEquals("local", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    }
  }

  @Test
  void startLogLinesAreWellFormedAndAnIpv6AddressIsBracketed() throws Exception {
    int port = FreePort.ipv6Loopback();
    Files.writeString(dir.resolve("v6.yaml"), VALID.formatted(port).replace("127.0.0.1:" + port, "[::1]:" + port));
    try (JarProcess p = run("-config", "v6.yaml")) {
      p.awaitLine("listening on http://[::1]:" + port + " ", 60);
      String first = p.output().lines().findFirst().orElseThrow();
      assertTrue(first.contains("logging configured"), first);
      for (String line : p.output().lines().filter(l -> l.startsWith("{")).toList()) {
        assertEquals(1, line.split("\"level\":", -1).length - 1, "each key once per JSON line: " + line);
      }
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://[::1]:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
    }
  }

  @Test
  void theExampleConfigShowsItsSystemPromptOnTheReadmesFirstRequest() throws Exception {
    int port = FreePort.loopback();
    String example = Files.readString(Path.of("config.example.yaml"));
    assertTrue(example.contains("listen: \"127.0.0.1:8765\""), "the example listens where the README says");
    Files.writeString(dir.resolve("config.yaml"), example.replace("127.0.0.1:8765", "127.0.0.1:" + port));
    Files.createDirectories(dir.resolve("system_prompts"));
    try (var files = Files.list(Path.of("system_prompts"))) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve("system_prompts").resolve(f.getFileName()));
      }
    }
    try (JarProcess p = run("-config", "config.yaml")) {
      p.awaitLine("listening on http://127.0.0.1:" + port, 60);
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"concise\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      String content = new io.vertx.core.json.JsonObject(r.body()).getJsonArray("choices").getJsonObject(0)
          .getJsonObject("message").getString("content");
      assertTrue(content.startsWith("[echo] hello [system prompt: You are a concise assistant."), content);
      assertTrue(p.output().lines().noneMatch(l -> l.contains("README")), "only *.txt files are prompts: " + p.output());
    }
  }

  @Test
  void refusesToExposeAnUnauthenticatedProxy() throws Exception {
    Files.writeString(dir.resolve("open.yaml"), VALID.formatted(8765).replace("127.0.0.1", "0.0.0.0"));
    try (JarProcess p = run("-config", "open.yaml")) {
      assertEquals(1, p.waitFor(30));
      p.awaitLine("listen: binding 0.0.0.0 (not a loopback address) requires proxy_api_key", 5);
    }
  }
}
