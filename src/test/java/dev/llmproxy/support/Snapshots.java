package dev.llmproxy.support;

import dev.llmproxy.config.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;

/** A compiled config for unit tests that need a snapshot but no gateway: the YAML written to {@code dir}, loaded. */
public final class Snapshots {

  private Snapshots() {}

  public static Snapshot load(Path dir, String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ConfigFiles.load(file);
  }
}
