package dev.llmproxy.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a config file (and the system prompt files it names) and compiles it. Blocking file I/O: call it before
 * serving, or from a worker thread. One instance serves the whole process, so versions keep counting up
 * across reloads.
 */
public final class ConfigLoader {

  private final Map<String, String> env;
  private final AtomicLong versions = new AtomicLong();

  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** Continues numbering after {@code version}, for a loader taking over from the one that loaded it. */
  public ConfigLoader continuingAfter(long version) {
    versions.accumulateAndGet(version, Math::max);
    return this;
  }

  public static ConfigLoader fromSystemEnv() {
    return new ConfigLoader(System.getenv());
  }

  public Snapshot load(Path file) throws ConfigException {
    byte[] bytes = read(file);
    Object tree = parse(file, bytes);
    return new ConfigCompiler(new EnvExpander(env))
        .compile(file, tree, sha256(bytes), versions.incrementAndGet(), PromptFiles::read);
  }

  static byte[] read(Path file) throws ConfigException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), List.of("file not found"));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
    }
  }

  static Object parse(Path file, byte[] bytes) throws ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    try {
      Object tree = new Yaml(new SafeConstructor(options)).load(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      if (!(tree instanceof Map)) {
        throw new ConfigException(file.toString(),
            List.of(tree == null ? "file is empty" : "top level must be a mapping of settings"));
      }
      return tree;
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new ConfigException(file.toString(), List.of("invalid YAML" + where + ": " + e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(file.toString(), List.of("invalid YAML: " + e.getMessage()));
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
