package dev.llmproxy.config;

import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Reads a config file (and the system prompt files it names) and compiles it, as a chain of futures that never
 * blocks the calling thread: the file through {@code vertx.fileSystem()}, the text through {@link StrictYaml}
 * (duplicate keys and syntax errors, with positions) and then vertx-config-yaml's {@link YamlProcessor} (YAML
 * to a {@link JsonObject}), the compile (which reads the prompt directory) on a worker thread. One instance
 * serves the whole process, so versions keep counting up across reloads.
 *
 * <p>The processor runs its parse with {@code executeBlocking} on the caller's context, so nothing here may
 * wait for it on a thread of that context: the steps are chained, never awaited inside one another.
 */
public final class ConfigLoader {

  private final Vertx vertx;
  private final Map<String, String> env;
  private final Function<Path, PromptFiles> promptReader;
  private final AtomicLong versions = new AtomicLong();
  private final YamlProcessor yaml = new YamlProcessor();

  /** @param vertx runs the file read, the processor and the compile (the gateway's own instance) */
  public ConfigLoader(Vertx vertx, Map<String, String> env) {
    this(vertx, env, PromptFiles::read);
  }

  /** @param promptReader reads the prompt directory on a worker thread; tests use it to change files mid-load */
  ConfigLoader(Vertx vertx, Map<String, String> env, Function<Path, PromptFiles> promptReader) {
    this.vertx = vertx;
    this.env = Map.copyOf(env);
    this.promptReader = promptReader;
  }

  public static ConfigLoader fromSystemEnv(Vertx vertx) {
    return new ConfigLoader(vertx, System.getenv());
  }

  /** Continues numbering after {@code version}, for a loader taking over from the one that loaded it. */
  public ConfigLoader continuingAfter(long version) {
    versions.accumulateAndGet(version, Math::max);
    return this;
  }

  /** Fails with a {@link ConfigException} listing every problem. */
  public Future<Snapshot> load(Path file) {
    return read(vertx, file).compose(bytes -> load(file, bytes));
  }

  /**
   * Waits for {@link #load(Path)}: for a thread that may block (start-up, {@code --validate}, tests). Never on a
   * Vert.x thread: the processor's task may be queued behind the waiting one on its context.
   */
  public Snapshot loadAndWait(Path file) throws ConfigException {
    return await(load(file));
  }

  /** Compiles exactly these bytes (the watcher's, already fingerprinted), as read from {@code file}. */
  Future<Snapshot> load(Path file, Buffer bytes) {
    return parse(file, bytes).compose(tree -> vertx.executeBlocking(() -> new ConfigCompiler(new EnvExpander(env))
        .compile(file, tree, sha256(bytes), versions.incrementAndGet(), promptReader), false));
  }

  /** YAML text to the processor's tree; fails with a {@link ConfigException} naming the line and column. */
  Future<JsonObject> parse(Path file, Buffer bytes) {
    return vertx.executeBlocking(() -> {
      StrictYaml.check(file, bytes.getBytes());
      return bytes;
    }, false).compose(checked -> yaml.process(vertx, new JsonObject(), checked))
        .recover(failure -> Future.failedFuture(
            failure instanceof ConfigException ? failure : StrictYaml.invalid(file, failure)));
  }

  /** {@link #parse} for a thread that may block; see {@link #loadAndWait}. */
  JsonObject parseAndWait(Path file, byte[] bytes) throws ConfigException {
    return await(parse(file, Buffer.buffer(bytes)));
  }

  /** Reads the file through {@code vertx.fileSystem()}; fails with a {@link ConfigException} saying why not. */
  static Future<Buffer> read(Vertx vertx, Path file) {
    // Absolute: Vert.x would look for a relative name that is not on disk on the class path instead.
    return vertx.fileSystem().readFile(file.toAbsolutePath().toString()).recover(failure -> {
      Throwable cause = failure.getCause() instanceof IOException io ? io : failure;
      return Future.failedFuture(new ConfigException(file.toString(), List.of(cause instanceof NoSuchFileException
          ? "file not found" : "cannot read: " + cause.getMessage())));
    });
  }

  static String sha256(Buffer bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T await(Future<T> future) throws ConfigException {
    if (Context.isOnVertxThread()) {
      throw new IllegalStateException("waiting for a config load on a Vert.x thread could deadlock; chain the future");
    }
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigException config) {
        throw config;
      }
      throw new IllegalStateException("config load failed unexpectedly", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading the config", e);
    }
  }
}
