package dev.llmproxy.config;

import dev.llmproxy.support.ConfigFiles;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Compiles YAML text in memory, with prompt files given as a map: no disk. The text goes through the loader's
 * parse (the strict check, then vertx-config-yaml's processor) on the tests' shared Vert.x instance.
 */
final class Configs {

  static final Path FILE = Path.of("/etc/llm-proxy/config.yaml");

  private Configs() {}

  static Snapshot compile(String yaml) throws ConfigException {
    return compile(yaml, Map.of());
  }

  static Snapshot compile(String yaml, Map<String, String> promptFiles) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(FILE, tree(FILE, bytes), sha256(bytes), 1, dir -> PromptFiles.of(dir, promptFiles));
  }

  static Snapshot compileBytes(String yaml, Map<String, byte[]> promptFiles) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(FILE, tree(FILE, bytes), sha256(bytes), 1, dir -> new PromptFiles(dir, promptFiles, Map.of()));
  }

  /** The processor's tree for this text, as the loader parses it. */
  static Object tree(Path file, byte[] bytes) throws ConfigException {
    return new ConfigLoader(ConfigFiles.vertx(), Map.of()).parseAndWait(file, bytes);
  }

  private static String sha256(byte[] bytes) {
    return ConfigLoader.sha256(Buffer.buffer(bytes));
  }
}
