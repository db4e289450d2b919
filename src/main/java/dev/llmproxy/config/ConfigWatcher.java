package dev.llmproxy.config;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * (or when forced: SIGHUP, {@code POST /admin/reload}) it loads and compiles on a worker thread and swaps the
 * result in with one atomic step. An invalid config is refused with one log line and the old snapshot keeps
 * serving; that same content is not judged again until it changes.
 *
 * <p>Reloads run one at a time, in request order. Listeners run on a worker thread after the swap.
 */
public final class ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  /** Content digests of the config file and the prompt directory. */
  record Fingerprint(String config, String prompts) {

    static Fingerprint of(Snapshot snapshot) {
      return new Fingerprint(snapshot.checksum(), snapshot.systemPrompts().filesChecksum());
    }

    /** Blocking. A missing or unreadable config file gets a digest of its own, so it differs from any content. */
    static Fingerprint read(Path file, Path promptsDir) {
      String config;
      try {
        config = ConfigLoader.sha256(ConfigLoader.read(file));
      } catch (ConfigException e) {
        config = "unreadable: " + e.getMessage();
      }
      return new Fingerprint(config, PromptFiles.read(promptsDir).checksum());
    }
  }

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
      Future<ReloadResult> next = tail.transform(ignored -> vertx.executeBlocking(() -> run(trigger, forced), false));
      tail = next;
      return next;
    }
  }

  /** Blocking; runs on a worker thread, never two at once. */
  private ReloadResult run(String trigger, boolean forced) {
    Snapshot current = snapshots.current();
    Path file = current.configFile();
    Fingerprint before = Fingerprint.read(file, current.proxy().systemPromptsDir());
    if (!forced && before.equals(judged)) {
      return result(ReloadResult.Outcome.UNCHANGED, trigger, current.version(), before, null, List.of());
    }
    Snapshot next;
    try {
      next = loader.load(file);
    } catch (ConfigException e) {
      List<String> problems = new java.util.ArrayList<>();
      e.unknownKeys().forEach(w -> problems.add("warning: " + w));  // a typo first: it often explains the errors
      problems.addAll(e.problems());
      return reject(trigger, current, before, problems);
    } catch (RuntimeException e) {
      LOG.error("config reload failed unexpectedly", e);
      return reject(trigger, current, before, List.of("internal error: " + e));
    }
    Fingerprint loaded = Fingerprint.of(next);
    if (!forced && !Fingerprint.read(file, next.proxy().systemPromptsDir()).equals(loaded)) {
      // Changed again while we read it: an editor is still writing. Judge the settled content next time.
      return result(ReloadResult.Outcome.UNCHANGED, trigger, current.version(), before, null, List.of());
    }
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
