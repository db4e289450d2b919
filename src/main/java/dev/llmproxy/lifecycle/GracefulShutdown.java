package dev.llmproxy.lifecycle;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.observability.LogFields;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SIGTERM and SIGINT do. The first signal starts the drain on its own thread: the gateway answers 503 to
 * new proxied requests and to {@code /health}, requests and streams in flight run to their end for up to
 * {@code shutdown.drain_timeout}, then the servers stop, {@link #beforeExit} hooks run (capture buffers), logs
 * are flushed and the process exits 0. A second signal exits at once, with 128 + the signal's number.
 *
 * <p>Signals are caught with {@code sun.misc.Signal} rather than a shutdown hook: once the JVM runs its hooks it
 * ignores further signals and would exit 143, and the drain must both survive a first signal and obey a second.
 */
public final class GracefulShutdown {

  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** How the process ends; the real one is {@link #SYSTEM}, tests record instead. */
  public interface Exit {
    /** Orderly exit (runs shutdown hooks). */
    void exit(int code);

    /** Immediate exit, nothing more runs. */
    void halt(int code);

    Exit SYSTEM = new Exit() {
      @Override
      public void exit(int code) {
        System.exit(code);
      }

      @Override
      public void halt(int code) {
        Runtime.getRuntime().halt(code);
      }
    };
  }

  private final Drain drain;
  private final Supplier<Duration> drainTimeout;
  private final Supplier<CompletionStage<?>> stopServing;
  private final Runnable flushLogs;
  private final Exit exit;
  private final AtomicInteger signals = new AtomicInteger();
  private final List<Runnable> beforeExit = new CopyOnWriteArrayList<>();

  /**
   * @param drainTimeout read when the signal arrives, so a reloaded value applies
   * @param stopServing closes servers and clients (Vert.x close)
   * @param flushLogs the last logging act: writes out queued lines and closes the log files
   */
  public GracefulShutdown(Drain drain, Supplier<Duration> drainTimeout, Supplier<CompletionStage<?>> stopServing,
      Runnable flushLogs, Exit exit) {
    this.drain = drain;
    this.drainTimeout = drainTimeout;
    this.stopServing = stopServing;
    this.flushLogs = flushLogs;
    this.exit = exit;
  }

  /** Work that must finish before exit, after the drain (e.g. flushing capture buffers to disk). */
  public void beforeExit(Runnable action) {
    beforeExit.add(action);
  }

  /** Routes SIGTERM and SIGINT here. Returns false if the JVM does not allow it (e.g. run with -Xrs). */
  public boolean installSignalHandlers() {
    boolean all = true;
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> onSignal(s.getName(), s.getNumber()));
      } catch (IllegalArgumentException e) {
        LOG.warn("cannot handle SIG{}: {}; it will stop the process without draining", name, e.getMessage());
        all = false;
      }
    }
    return all;
  }

  /** A termination signal arrived; the first one drains, any later one exits at once. */
  public void onSignal(String name, int number) {
    if (signals.incrementAndGet() > 1) {
      // Straight to stderr: an asynchronous log line would be lost by the halt.
      System.err.println("llm-proxy: second SIG" + name + " during drain, exiting now");
      exit.halt(128 + number);
      return;
    }
    Thread drainer = new Thread(() -> shutdown("SIG" + name), "llm-proxy-drain");
    drainer.setDaemon(false);
    drainer.start();
  }

  void shutdown(String signal) {
    Duration timeout = drainTimeout.get();
    LOG.info("shutdown: draining", kv(LogFields.SIGNAL, signal), kv(LogFields.IN_FLIGHT, drain.inFlight()),
        kv(LogFields.DRAIN_TIMEOUT_MS, timeout.toMillis()));
    drain.start();
    try {
      drain.whenIdle().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("shutdown: drained, no request in flight");
    } catch (TimeoutException e) {
      LOG.warn("shutdown: drain timeout reached, cutting requests in flight",
          kv(LogFields.IN_FLIGHT, drain.inFlight()), kv(LogFields.DRAIN_TIMEOUT_MS, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.warn("shutdown: drain failed", e);
    }
    for (Runnable action : beforeExit) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.error("shutdown: before-exit action failed", e);
      }
    }
    try {
      stopServing.get().toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("shutdown: servers did not stop cleanly: {}", e.toString());
    }
    LOG.info("shutdown: complete, exiting");
    flushLogs.run();
    exit.exit(0);
  }
}
