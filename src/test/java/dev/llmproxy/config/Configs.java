package dev.llmproxy.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Compiles YAML text in memory, with prompt files given as a map: no disk. */
final class Configs {

  static final Path FILE = Path.of("/etc/llm-proxy/config.yaml");

  private Configs() {}

  static Snapshot compile(String yaml) throws ConfigException {
    return compile(yaml, Map.of());
  }

  static Snapshot compile(String yaml, Map<String, String> promptFiles) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(FILE, ConfigLoader.parse(FILE, bytes), ConfigLoader.sha256(bytes), 1,
            dir -> PromptFiles.of(dir, promptFiles));
  }

  static Snapshot compileBytes(String yaml, Map<String, byte[]> promptFiles) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(FILE, ConfigLoader.parse(FILE, bytes), ConfigLoader.sha256(bytes), 1,
            dir -> new PromptFiles(dir, promptFiles, Map.of()));
  }
}
