package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.support.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * config.example.yaml and docs/configuration.md against the compiler: every key the example sets is one the
 * compiler reads, and every key the compiler reads (in any section, the ones the example leaves commented out
 * included) is shown in the example and documented in the reference.
 */
class ExampleConfigTest {

  private static final Path EXAMPLE = Path.of("config.example.yaml");
  private static final Path REFERENCE = Path.of("docs/configuration.md");

  /** The sections the example leaves empty or commented out, present, so their keys are known too. */
  private static final String OPTIONAL_SECTIONS = """
      backends:
        - name: tuned
          url: http://127.0.0.1:1/v1
          detection: {error_codes: [500]}
          translation: {default_max_tokens: 1024}
      models:
        m: {routes: [{backend: tuned, model: x}]}
      passthrough: {openai: tuned}
      routing_rules:
        - name: r
          match: {system_prompt: "/x/", header: {X-A: b}, client_ip: 10.0.0.0/8, client_key: k, model: m}
          set_model: m
      """;

  @Test
  void theExampleSetsOnlyKeysTheCompilerReads() throws Exception {
    ConfigProblems problems = compile(Files.readString(EXAMPLE));
    assertEquals(List.of(), problems.unknownKeys());
    assertEquals(List.of(), problems.errors());
  }

  @Test
  void everyKeyTheReferenceTabulatesIsOneTheCompilerReads() throws Exception {
    Set<String> names = new TreeSet<>();
    knownKeys().values().forEach(names::addAll);
    List<String> unknown = new ArrayList<>();
    boolean inKeyTable = false;
    for (String line : Files.readAllLines(REFERENCE)) {
      if (line.startsWith("| Key |")) {
        inKeyTable = true;
      } else if (!line.startsWith("|")) {
        inKeyTable = false;
      } else if (inKeyTable && !line.startsWith("|---")) {
        var keys = Pattern.compile("`([^`]+)`").matcher(line.split("\\|")[1]);
        while (keys.find()) {
          String key = keys.group(1).replaceAll(":$", "").replaceAll(".*[.\\]]", "");
          if (!names.contains(key)) {
            unknown.add(keys.group(1));
          }
        }
      }
    }
    assertEquals(List.of(), unknown, "keys " + REFERENCE + " tabulates that the compiler does not read");
  }

  @Test
  void everyKeyTheCompilerReadsIsInTheExampleAndTheReference() throws Exception {
    Map<String, Set<String>> known = knownKeys();
    String example = Files.readString(EXAMPLE);
    String reference = Files.readString(REFERENCE);
    List<String> notInExample = new ArrayList<>();
    List<String> notInReference = new ArrayList<>();
    known.forEach((section, keys) -> keys.forEach(key -> {
      String name = section.isEmpty() ? key : section + "." + key;
      // As a YAML key, set or in a comment: "key:", "# key:", "{key: ...".
      if (!Pattern.compile("(^|[\\s{,#])" + Pattern.quote(key) + ":", Pattern.MULTILINE).matcher(example).find()) {
        notInExample.add(name);
      }
      // In code quotes, alone or qualified, as a heading or with its own keys: `key`, `section.key`,
      // `backends[].key`, `key:`, `key.sub`.
      if (!Pattern.compile("`([\\w.\\[\\]<>-]+\\.)?" + Pattern.quote(key) + "[:.`]").matcher(reference).find()) {
        notInReference.add(name);
      }
    }));
    assertEquals(List.of(), notInExample, "keys the compiler reads that " + EXAMPLE + " never shows");
    assertEquals(List.of(), notInReference, "keys the compiler reads that " + REFERENCE + " never names");
  }

  /** The keys of every section, by section: the example's and those of the sections it leaves out. */
  private static Map<String, Set<String>> knownKeys() throws Exception {
    Map<String, Set<String>> known = new TreeMap<>();
    for (String yaml : List.of(Files.readString(EXAMPLE), OPTIONAL_SECTIONS)) {
      compile(yaml).knownKeys().forEach((path, keys) ->
          known.computeIfAbsent(section(path), p -> new TreeSet<>()).addAll(keys));
    }
    return known;
  }

  /** {@code models["gpt-4"].routes[1]} → {@code models.routes}: one section for every alias, route, backend. */
  private static String section(String path) {
    return path.replaceAll("\\[\"(?:[^\"\\\\]|\\\\.)*\"]", "").replaceAll("\\[\\d+]", "");
  }

  private static ConfigProblems compile(String yaml) throws Exception {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    Object tree = new ConfigLoader(ConfigFiles.vertx(), Map.of()).parseAndWait(Configs.FILE, bytes);
    ConfigProblems problems = new ConfigProblems();
    try {
      new ConfigCompiler(new EnvExpander(Map.of())).compile(Configs.FILE, tree, "x", 1, PromptFiles::empty, problems);
    } catch (ConfigException e) {
      // the problems are what this test reads
    }
    return problems;
  }
}
