package dev.llmproxy;

import dev.llmproxy.capture.DatasetExport;
import dev.llmproxy.config.ConfigException;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.HangupSignal;
import dev.llmproxy.config.ListenAddress;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.explore.Explorer;
import dev.llmproxy.install.ClientCommands;
import dev.llmproxy.install.ProxyProbe;
import dev.llmproxy.install.StateFile;
import dev.llmproxy.lifecycle.GracefulShutdown;
import dev.llmproxy.observability.LogSetup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command line entry point: {@code java -jar dist/llm-proxy.jar -config config.yaml}. */
public final class Main {

  static final String USAGE = """
      Usage: java -jar llm-proxy.jar [-config FILE] [--validate] [--register] [--version] [--help]
             java -jar llm-proxy.jar [-config FILE] --export [--since T] [--until T] [--alias A] > dataset.jsonl
             java -jar llm-proxy.jar --explore [--data DIR] [--port N] [-config FILE]
             java -jar llm-proxy.jar --env | --setup-shell | --setup | --status | --uninstall

        -config, --config FILE  config file (default: config.yaml in the working directory)
        --validate              check the config, print every problem, exit 0 (valid) or 1; does not serve
        --export                print the capture store's records as JSONL, oldest first; does not serve
          --since T, --until T  only records started from T / before T: an instant (2025-01-31T12:00:00Z),
                                epoch milliseconds, or a duration back from now (24h)
          --alias A             only records of model alias A
        --explore               the web UI over captured traffic, without proxying, on http://127.0.0.1:8766/ui/
          --data DIR            the capture directory (its requests.db, else its JSONL files, indexed into a new
                                requests.db); default: the config's capture: section if the file exists, else ./data
          --port N              port on 127.0.0.1 (default 8766)
        --version               print the version and exit
        --help                  print this help and exit
      """ + ClientCommands.USAGE;

  private Main() {}

  record Args(Path config, boolean validate, boolean version, boolean help, boolean register, Export export,
      Explorer.Options explore) {

    /** {@code --export} and its filters; null when not exporting. */
    record Export(String since, String until, String alias) {}

    static Args parse(String[] argv) {
      Path config = Path.of("config.yaml");
      boolean validate = false;
      boolean version = false;
      boolean help = false;
      boolean register = false;
      boolean export = false;
      boolean configGiven = false;
      java.util.Map<String, String> exportFilters = new java.util.HashMap<>();
      boolean explore = false;
      java.util.Map<String, String> exploreOptions = new java.util.HashMap<>();
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        if (a.startsWith("-config=") || a.startsWith("--config=")) {
          configGiven = true;
          config = Path.of(a.substring(a.indexOf('=') + 1));
        } else if (a.equals("-config") || a.equals("--config") || a.equals("-c")) {
          if (i + 1 >= argv.length) {
            throw new IllegalArgumentException(a + " needs a file name");
          }
          configGiven = true;
          config = Path.of(argv[++i]);
        } else if (a.equals("--validate") || a.equals("-validate")) {
          validate = true;
        } else if (a.equals("--version") || a.equals("-version")) {
          version = true;
        } else if (a.equals("--help") || a.equals("-help") || a.equals("-h")) {
          help = true;
        } else if (a.equals("--register")) {
          register = true;
        } else if (a.equals("--export")) {
          export = true;
        } else if (a.equals("--since") || a.equals("--until") || a.equals("--alias")) {
          if (i + 1 >= argv.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          exportFilters.put(a, argv[++i]);
        } else if (a.equals("--explore")) {
          explore = true;
        } else if (a.equals("--data") || a.equals("--port")) {
          if (i + 1 >= argv.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          exploreOptions.put(a, argv[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument \"" + a + "\"");
        }
      }
      if (!export && !exportFilters.isEmpty()) {
        throw new IllegalArgumentException(exportFilters.keySet().iterator().next() + " only goes with --export");
      }
      if (!explore && !exploreOptions.isEmpty()) {
        throw new IllegalArgumentException(exploreOptions.keySet().iterator().next() + " only goes with --explore");
      }
      return new Args(config, validate, version, help, register, export ? new Export(exportFilters.get("--since"),
          exportFilters.get("--until"), exportFilters.get("--alias")) : null,
          explore ? exploreOptions(config, configGiven, exploreOptions) : null);
    }

    private static Explorer.Options exploreOptions(Path config, boolean configGiven, java.util.Map<String, String> o) {
      Integer port = null;
      if (o.containsKey("--port")) {
        try {
          port = Integer.parseInt(o.get("--port"));
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("--port must be a number from 0 to 65535, got \"" + o.get("--port")
              + "\"");
        }
      }
      return new Explorer.Options(config, configGiven, o.containsKey("--data") ? Path.of(o.get("--data")) : null, port);
    }
  }

  public static void main(String[] argv) {
    if (ClientCommands.handles(argv)) {
      // Before anything heavy loads: --env runs in every new shell and must start in well under 300 ms.
      System.exit(ClientCommands.run(argv, System.out, System.err, Main::captureWhere));
    }
    int code = run(argv, System.out, System.err);
    if (code >= 0) {
      LogSetup.flushAndStop();  // logging is asynchronous: write out what is queued before exiting
      System.exit(code);
    }
  }

  /** @return the exit code, or -1 when the gateway is serving and the process must stay up */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("llm-proxy: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (args.help()) {
      out.print(USAGE);
      return 0;
    }
    if (args.version()) {
      out.println("llm-proxy " + version());
      return 0;
    }
    if (args.explore() != null) {
      return Explorer.run(args.explore(), out, err);
    }
    // The YAML goes through vertx-config-yaml's processor, which runs on a Vert.x instance: the one that serves.
    Vertx vertx = Vertx.vertx(vertxOptions());
    Snapshot snapshot;
    ConfigLoader loader = ConfigLoader.fromSystemEnv(vertx);
    try {
      snapshot = loader.loadAndWait(args.config());
    } catch (ConfigException e) {
      // An unknown key first: a typo (backend: for backends:) is usually what the errors after it are about.
      e.unknownKeys().forEach(w -> err.println("llm-proxy: " + args.config() + ": warning: " + w));
      for (String problem : e.problems()) {
        err.println("llm-proxy: " + args.config() + ": " + problem);
      }
      e.otherWarnings().forEach(w -> err.println("llm-proxy: " + args.config() + ": warning: " + w));
      close(vertx);
      return 1;
    }
    if (args.export() != null) {
      close(vertx);  // the export reads the store with JDBC; Vert.x was only for loading the config
      Args.Export e = args.export();
      LogSetup.consoleToStderr();  // stdout is the dataset
      return DatasetExport.run(snapshot.capture(), e.since(), e.until(), e.alias(), out, err);
    }
    if (args.validate()) {
      close(vertx);
      snapshot.warnings().forEach(w -> out.println(args.config() + ": warning: " + w));
      out.println(args.config() + ": OK (" + snapshot.backends().size() + " backends, "
          + snapshot.aliases().size() + " model aliases)");
      return 0;
    }
    return serve(vertx, loader, snapshot, err, args.register());
  }

  private static int instances() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * One event loop per core, each serving one GatewayVerticle (no idle extra loops); the kernel's epoll when the
   * native transport loads (Linux), else Java NIO. Measured in docs/benchmarks.md ("Hot path").
   */
  private static VertxOptions vertxOptions() {
    return new VertxOptions().setEventLoopPoolSize(instances()).setPreferNativeTransport(true);
  }

  private static void close(Vertx vertx) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // exiting anyway
    }
  }

  private static int serve(Vertx vertx, ConfigLoader loader, Snapshot snapshot, PrintStream err, boolean register) {
    LogSetup.apply(snapshot);  // logging: section and secret masking, before the first line is logged
    Logger log = LoggerFactory.getLogger(Main.class);
    snapshot.warnings().forEach(w -> log.warn("config warning: {}", w));
    int instances = instances();
    if (!vertx.isNativeTransportEnabled()) {
      log.info("native transport unavailable, using Java NIO: {}", vertx.unavailableNativeTransportCause());
    }
    CountDownLatch started = new CountDownLatch(1);
    Throwable[] failure = new Throwable[1];
    Gateway[] running = new Gateway[1];
    Gateway.start(vertx, loader, snapshot, instances).onComplete(ar -> {
      if (ar.succeeded()) {
        running[0] = ar.result();
        HangupSignal.install(() -> ar.result().services().config().reload("SIGHUP"));
        // ListenAddress writes an IPv6 host in brackets: http://[::1]:8765, a URL one can paste.
        log.info("llm-proxy {} listening on http://{} (models: {}; config: {})", version(),
            new ListenAddress(snapshot.listen().host(), ar.result().port()), snapshot.aliases().keySet(),
            snapshot.configFile());
      } else {
        failure[0] = ar.cause();
      }
      started.countDown();
    });
    try {
      if (!started.await(60, TimeUnit.SECONDS)) {
        err.println("llm-proxy: did not start within 60 s");
        vertx.close();
        return 1;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    if (failure[0] != null) {
      err.println("llm-proxy: cannot listen on " + snapshot.listen() + ": " + failure[0].getMessage());
      vertx.close();
      return 1;
    }
    GatewayServices services = running[0].services();
    // Reload listeners run on a worker thread: applying logging (files, directories) may block there.
    services.config().onReload(LogSetup::apply);
    GracefulShutdown shutdown = new GracefulShutdown(services.drain(),
        () -> services.snapshots().current().shutdown().drainTimeout(),
        () -> vertx.close().toCompletionStage(),
        LogSetup::flushAndStop,
        GracefulShutdown.Exit.SYSTEM);
    // After the drain every request has finished: write out its capture record before the process exits.
    shutdown.beforeExit(() -> services.capture().close(captureCloseTimeout(services)));
    shutdown.installSignalHandlers();
    // Other ways out (System.exit elsewhere, a signal not caught above) still close the servers and flush the logs.
    StateFile state = StateFile.forEnvironment(System.getenv());
    int port = running[0].port();
    if (register) {
      // Published once it has answered: a shell's --env gives it a second, and the first request after start
      // (classes loading) can take longer on a busy machine, which would make the shell think it down.
      if (!ProxyProbe.awaitAnswer(port, Duration.ofSeconds(30))) {
        log.warn("http://127.0.0.1:{}/health did not answer 200 within 30 s; registering the port anyway", port);
      }
      try {
        state.write(port);  // --env finds the machine's proxy here
        log.info("port {} registered in {}", port, state.path());
      } catch (java.io.IOException e) {
        log.warn("cannot register the port in {}: {}", state.path(), e.toString());
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (register) {
        state.removeIfOwned(port);
      }
      services.capture().close(captureCloseTimeout(services));
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      LogSetup.flushAndStop();
    }, "llm-proxy-shutdown"));
    return -1;
  }

  /** Writing out capture's queue is bounded like the drain: shutdown.drain_timeout, at least 5 s. */
  private static Duration captureCloseTimeout(GatewayServices services) {
    Duration drain = services.snapshots().current().shutdown().drainTimeout();
    return drain.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : drain;
  }

  /**
   * {@code --status}'s capture line: where the captures of {@code config} go, compiled as the proxy compiles it
   * (relative paths against the config's directory, {@code LLM_PROXY_CAPTURE_DIR} from this environment).
   */
  static String captureWhere(Path config) {
    Vertx vertx = Vertx.vertx();  // the YAML processor runs on one; --status is no hot path (--env is)
    try {
      return ConfigLoader.fromSystemEnv(vertx).loadAndWait(config).capture().where();
    } catch (ConfigException e) {
      return "unknown: " + config + " is not valid (" + (e.problems().isEmpty() ? e.getMessage()
          : e.problems().get(0)) + ")";
    } finally {
      close(vertx);
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
