package dev.llmproxy.config;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the live snapshot in step with the config file and the system prompt directory. Every
 * {@code proxy.watch_interval} it compares their content digests with the last content it judged; on a change
 * (or when forced: SIGHUP, {@code POST /admin/reload}) it has the loader compile exactly the bytes it read and
 * swaps the result in with one atomic step. An invalid config is refused with one log line and the old snapshot
 * keeps serving; that same content is not judged again until it changes.
 *
 * <p>A reload is a chain of futures (read through {@code vertx.fileSystem()}, parse with vertx-config-yaml's
 * processor, compile and apply on worker threads), never a worker waiting for another task: the processor queues
 * its parse on the caller's context, where a waiting task would hold it up for good. Reloads run one at a time,
 * in request order. Listeners run on a worker thread after the swap.
 */
public final class ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  /** Content digests of the config file and the prompt directory. */
  record Fingerprint(String config, String prompts) {

    static Fingerprint of(Snapshot snapshot) {
      return new Fingerprint(snapshot.checksum(), snapshot.systemPrompts().filesChecksum());
    }
  }

  /**
   * The config file's bytes as read (null if it could not be read: {@code unreadable} says why) and the
   * fingerprint of what was read. A missing or unreadable file gets a digest of its own, so it differs from any
   * content.
   */
  private record Contents(Buffer bytes, ConfigException unreadable, Fingerprint fingerprint) {}

  private final Vertx vertx;
  private final ConfigLoader loader;
  private final SnapshotHolder snapshots;
  private final List<Consumer<Snapshot>> reloadListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ReloadResult>> resultListeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  private Future<?> tail = Future.succeededFuture();
  private boolean scanQueued;
  private boolean stopped;
  private long timerId = -1;
  private Duration interval = Duration.ZERO;

  private volatile ListenAddress bound;
  private volatile Fingerprint judged;
  private volatile ReloadResult last;

  /** @param loader the process' one loader, so versions keep counting up */
  public ConfigWatcher(Vertx vertx, ConfigLoader loader, SnapshotHolder snapshots) {
    this.vertx = vertx;
    this.loader = loader.continuingAfter(snapshots.current().version());
    this.snapshots = snapshots;
    this.bound = snapshots.current().listen();
    this.judged = Fingerprint.of(snapshots.current());
  }

  /**
   * Starts the periodic check if {@code proxy.watch_interval} is not zero.
   *
   * @param listening the address the server really listens on; a new {@code listen} applies only after a restart
   */
  public void start(ListenAddress listening) {
    this.bound = listening;
    schedule(snapshots.current().reload().watchInterval());
  }

  /** Stops checking; completes when a reload in progress has finished. */
  public Future<Void> stop() {
    synchronized (lock) {
      stopped = true;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      return tail.transform(ignored -> Future.succeededFuture());
    }
  }

  /** Loads and judges the config now, even if nothing seems to have changed (SIGHUP, the admin endpoint). */
  public Future<ReloadResult> reload(String trigger) {
    return enqueue(trigger, true);
  }

  /** Called with the new snapshot after each successful swap (rate limiters, metrics). */
  public void onReload(Consumer<Snapshot> listener) {
    reloadListeners.add(listener);
  }

  /** Called after each reload that was applied or rejected (not after checks that found no change). */
  public void onResult(Consumer<ReloadResult> listener) {
    resultListeners.add(listener);
  }

  /** The last reload applied or rejected since start, or null. */
  public ReloadResult lastResult() {
    return last;
  }

  public ListenAddress bound() {
    return bound;
  }

  private void schedule(Duration every) {
    synchronized (lock) {
      if (stopped || (every.equals(interval) && timerId >= 0)) {
        return;
      }
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      interval = every;
      if (!every.isZero()) {
        timerId = vertx.setPeriodic(every.toMillis(), id -> scan());
      }
    }
  }

  private void scan() {
    synchronized (lock) {
      // A slow load (huge prompt directory, slow disk) must not pile up checks behind it.
      if (scanQueued || stopped) {
        return;
      }
      scanQueued = true;
    }
    enqueue("watch", false).onComplete(done -> {
      synchronized (lock) {
        scanQueued = false;
      }
    });
  }

  private Future<ReloadResult> enqueue(String trigger, boolean forced) {
    synchronized (lock) {
      Future<ReloadResult> next = tail.transform(ignored -> run(trigger, forced));
      tail = next;
      return next;
    }
  }

  private Future<ReloadResult> run(String trigger, boolean forced) {
    Snapshot current = snapshots.current();
    Path file = current.configFile();
    return read(file, current.proxy().systemPromptsDir()).compose(before -> {
      if (!forced && before.fingerprint().equals(judged)) {
        return Future.succeededFuture(unchanged(trigger, current, before));
      }
      Future<Snapshot> loading = before.unreadable() != null
          ? Future.failedFuture(before.unreadable()) : loader.load(file, before.bytes());
      return loading.transform(loaded -> loaded.failed()
          ? vertx.executeBlocking(() -> refuse(trigger, current, before.fingerprint(), loaded.cause()), false)
          : judge(trigger, forced, current, before, loaded.result()));
    });
  }

  /** Swaps {@code next} in (on a worker thread: listeners may block), unless the files changed under the compile. */
  private Future<ReloadResult> judge(String trigger, boolean forced, Snapshot current, Contents before, Snapshot next) {
    return settled(next, forced).compose(settled -> settled
        ? vertx.executeBlocking(() -> apply(trigger, current, next), false)
        : Future.succeededFuture(unchanged(trigger, current, before)));
  }

  private ReloadResult unchanged(String trigger, Snapshot current, Contents before) {
    return result(ReloadResult.Outcome.UNCHANGED, trigger, current.version(), before.fingerprint(), null, List.of());
  }

  /** Reads the config file's bytes through the file system API and digests both files; never fails. */
  private Future<Contents> read(Path file, Path promptsDir) {
    Future<Buffer> config = ConfigLoader.read(vertx, file);
    Future<String> prompts = vertx.executeBlocking(() -> PromptFiles.read(promptsDir).checksum(), false);
    return Future.join(config, prompts).transform(ignored -> {
      if (prompts.failed()) {
        return Future.failedFuture(prompts.cause());
      }
      if (config.failed()) {
        ConfigException why = config.cause() instanceof ConfigException e
            ? e : new ConfigException(file.toString(), List.of("cannot read: " + config.cause()));
        return Future.succeededFuture(
            new Contents(null, why, new Fingerprint("unreadable: " + why.getMessage(), prompts.result())));
      }
      return Future.succeededFuture(new Contents(config.result(), null,
          new Fingerprint(ConfigLoader.sha256(config.result()), prompts.result())));
    });
  }

  /**
   * Whether the files still hold what {@code next} was compiled from. If not, an editor is still writing: the
   * settled content is judged next time. A forced reload takes what it read.
   */
  private Future<Boolean> settled(Snapshot next, boolean forced) {
    if (forced) {
      return Future.succeededFuture(true);
    }
    return read(next.configFile(), next.proxy().systemPromptsDir())
        .map(after -> after.fingerprint().equals(Fingerprint.of(next)));
  }

  /** Blocking (listeners); runs on a worker thread. */
  private ReloadResult refuse(String trigger, Snapshot current, Fingerprint judgedNow, Throwable failure) {
    if (failure instanceof ConfigException e) {
      List<String> problems = new java.util.ArrayList<>();
      e.unknownKeys().forEach(w -> problems.add("warning: " + w));  // a typo first: it often explains the errors
      problems.addAll(e.problems());
      return reject(trigger, current, judgedNow, problems);
    }
    LOG.error("config reload failed unexpectedly", failure);
    return reject(trigger, current, judgedNow, List.of("internal error: " + failure));
  }

  /** Blocking (listeners); runs on a worker thread, never two at once. */
  private ReloadResult apply(String trigger, Snapshot current, Snapshot next) {
    Path file = next.configFile();
    Fingerprint loaded = Fingerprint.of(next);
    if (!bound.isLoopback() && next.proxyApiKey() == null && !next.allowUnauthenticated()) {
      return reject(trigger, current, loaded, List.of("proxy_api_key: required while the gateway listens on "
          + bound + " (not a loopback address; a new listen address applies only after a restart)"));
    }
    ConfigDiff diff = ConfigDiff.between(current, next);
    snapshots.swap(next);
    judged = loaded;
    String changes = diff.summary();
    if (diff.needsRestart().isEmpty()) {
      LOG.info("config reloaded {} {} {} {}", kv("config_file", file.toString()), kv("version", next.version()),
          kv("trigger", trigger), kv("changes", changes));
    } else {
      LOG.warn("config reloaded {} {} {} {}", kv("config_file", file.toString()), kv("version", next.version()),
          kv("trigger", trigger), kv("changes", changes + " (still listening on " + bound + ")"));
    }
    if (!next.warnings().isEmpty()) {
      LOG.warn("config warnings {} {}", kv("config_file", file.toString()), kv("warnings", String.join("; ", next.warnings())));
    }
    for (Consumer<Snapshot> listener : reloadListeners) {
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        LOG.error("reload listener failed", e);
      }
    }
    schedule(next.reload().watchInterval());
    return result(ReloadResult.Outcome.APPLIED, trigger, next.version(), loaded, diff, List.of());
  }

  private ReloadResult reject(String trigger, Snapshot current, Fingerprint judgedNow, List<String> problems) {
    LOG.warn("config reload rejected, previous config still serving {} {} {} {}",
        kv("config_file", current.configFile().toString()), kv("version", current.version()), kv("trigger", trigger),
        kv("problems", String.join("; ", problems)));
    return result(ReloadResult.Outcome.REJECTED, trigger, current.version(), judgedNow, null, problems);
  }

  private ReloadResult result(ReloadResult.Outcome outcome, String trigger, long version, Fingerprint fingerprint,
      ConfigDiff diff, List<String> problems) {
    ReloadResult result = new ReloadResult(outcome, trigger, Instant.now(), version, fingerprint.config(),
        fingerprint.prompts(), diff, problems);
    if (outcome != ReloadResult.Outcome.UNCHANGED) {
      judged = fingerprint;
      last = result;
      for (Consumer<ReloadResult> listener : resultListeners) {
        try {
          listener.accept(result);
        } catch (RuntimeException e) {
          LOG.error("reload result listener failed", e);
        }
      }
    }
    return result;
  }
}
