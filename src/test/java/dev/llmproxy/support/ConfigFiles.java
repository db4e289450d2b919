package dev.llmproxy.support;

import dev.llmproxy.config.ConfigException;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.Snapshot;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a config file exactly as {@code Main} does (vertx-config-yaml's processor included), for tests that need
 * a snapshot but no gateway. The processor runs on a Vert.x instance: one, shared by these loads, for the test
 * run. Call it from the test's own thread, never from a Vert.x thread.
 */
public final class ConfigFiles {

  private static Vertx vertx;

  private ConfigFiles() {}

  public static Snapshot load(Path file) throws ConfigException {
    return load(file, Map.of());
  }

  public static Snapshot load(Path file, Map<String, String> env) throws ConfigException {
    return new ConfigLoader(vertx(), env).loadAndWait(file);
  }

  /** The instance the loads run on; closed with the test JVM. */
  public static synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }
}
