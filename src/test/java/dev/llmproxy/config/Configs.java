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
  /** The smallest valid config, one echo backend and alias {@code m}: a section under test is appended to it. */
  static final String ECHO_BASE = """
      backends:
        - {name: local, type: echo}
      models:
        m: [{backend: local}]
      """;

  private Configs() {}

  static Snapshot compile(String yaml) throws ConfigException {
    return compile(yaml, Map.of());
  }

  static Snapshot compile(String yaml, Map<String, String> promptFiles) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    return new ConfigCompiler(new EnvExpander(Map.of()))
        .compile(FILE, tree(FILE, bytes), sha256(bytes), 1, dir -> PromptFiles.of(dir, promptFiles));
  }

  /** With these environment variables for the config's {@code ${VAR}}s. */
  static Snapshot compileWithEnv(String yaml, Map<String, String> env) throws ConfigException {
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    Object tree = new ConfigLoader(ConfigFiles.vertx(), env).parseAndWait(FILE, bytes);
    return new ConfigCompiler(new EnvExpander(env)).compile(FILE, tree, sha256(bytes), 1);
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
