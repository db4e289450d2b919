package dev.llmproxy;

import dev.llmproxy.capture.DatasetExport;
import dev.llmproxy.config.ConfigException;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.HangupSignal;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.explore.Explorer;
import dev.llmproxy.lifecycle.GracefulShutdown;
import dev.llmproxy.observability.LogSetup;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command line entry point: {@code java -jar dist/llm-proxy.jar -config config.yaml}. */
public final class Main {

  static final String USAGE = """
      Usage: java -jar llm-proxy.jar [-config FILE] [--validate] [--version] [--help]
             java -jar llm-proxy.jar [-config FILE] --export [--since T] [--until T] [--alias A] > dataset.jsonl
             java -jar llm-proxy.jar --explore [--data DIR] [--port N] [-config FILE]

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
      """;

  private Main() {}

  record Args(Path config, boolean validate, boolean version, boolean help, Export export, Explorer.Options explore) {

    /** {@code --export} and its filters; null when not exporting. */
    record Export(String since, String until, String alias) {}

    static Args parse(String[] argv) {
      Path config = Path.of("config.yaml");
      boolean validate = false;
      boolean version = false;
      boolean help = false;
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
      return new Args(config, validate, version, help, export ? new Export(exportFilters.get("--since"),
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
    Snapshot snapshot;
    ConfigLoader loader = ConfigLoader.fromSystemEnv();
    try {
      snapshot = loader.load(args.config());
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        err.println("llm-proxy: " + args.config() + ": " + problem);
      }
      return 1;
    }
    if (args.export() != null) {
      Args.Export e = args.export();
      LogSetup.consoleToStderr();  // stdout is the dataset
      return DatasetExport.run(snapshot.capture(), e.since(), e.until(), e.alias(), out, err);
    }
    if (args.validate()) {
      snapshot.warnings().forEach(w -> out.println(args.config() + ": warning: " + w));
      out.println(args.config() + ": OK (" + snapshot.backends().size() + " backends, "
          + snapshot.aliases().size() + " model aliases)");
      return 0;
    }
    return serve(loader, snapshot, err);
  }

  private static int serve(ConfigLoader loader, Snapshot snapshot, PrintStream err) {
    LogSetup.apply(snapshot);  // logging: section and secret masking, before the first line is logged
    Logger log = LoggerFactory.getLogger(Main.class);
    snapshot.warnings().forEach(w -> log.warn("config warning: {}", w));
    Vertx vertx = Vertx.vertx(new VertxOptions());
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    CountDownLatch started = new CountDownLatch(1);
    Throwable[] failure = new Throwable[1];
    Gateway[] running = new Gateway[1];
    Gateway.start(vertx, loader, snapshot, instances).onComplete(ar -> {
      if (ar.succeeded()) {
        running[0] = ar.result();
        HangupSignal.install(() -> ar.result().services().config().reload("SIGHUP"));
        log.info("llm-proxy {} listening on http://{}:{} (models: {}; config: {})", version(),
            snapshot.listen().host(), ar.result().port(), snapshot.aliases().keySet(), snapshot.configFile());
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
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
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
  private static java.time.Duration captureCloseTimeout(GatewayServices services) {
    java.time.Duration drain = services.snapshots().current().shutdown().drainTimeout();
    return drain.compareTo(java.time.Duration.ofSeconds(5)) < 0 ? java.time.Duration.ofSeconds(5) : drain;
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
