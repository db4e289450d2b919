package dev.llmproxy.explore;

import dev.llmproxy.capture.store.RequestFilter;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.CaptureSettings;
import dev.llmproxy.config.ConfigException;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.ui.WebUi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code --explore}: the web UI over a capture directory or store, without proxying anything, on
 * {@code 127.0.0.1} only (it has no login: what it shows is whatever the files hold).
 *
 * <p>Where the data comes from, first match wins: {@code --data DIR} (the SQLite store {@code DIR/requests.db}
 * and the JSONL files under {@code DIR}); the config file's {@code capture:} section when the file exists
 * ({@code capture.store}, and {@code capture.directory} for the files); {@code ./data}. A SQLite store that does not
 * exist yet, or is empty, is created and filled from the JSONL files first.
 */
public final class Explorer {

  public static final int DEFAULT_PORT = 8766;
  static final String DEFAULT_DATA = "data";

  /** {@code --explore}'s options. @param data null: from the config, else ./data; @param port null: 8766 */
  public record Options(Path config, boolean configGiven, Path data, Integer port) {}

  /** Where the explorer reads: a store, and the dataset directory to index into it when it is new. */
  record Source(CaptureSettings.Store store, Path datasetDir, String description) {}

  private Explorer() {}

  /** @return the exit code, or -1 when the explorer is serving and the process must stay up */
  public static int run(Options options, PrintStream out, PrintStream err) {
    // One Vert.x instance: the config's YAML processor runs on it, then the server.
    Vertx vertx = Vertx.vertx();
    Source source;
    try {
      source = source(options, vertx);
    } catch (ConfigException e) {
      e.problems().forEach(p -> err.println("llm-proxy: " + options.config() + ": " + p));
      close(vertx);
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("llm-proxy: " + e.getMessage());
      close(vertx);
      return 1;
    }
    Optional<RequestStore> opened = RequestStore.open(source.store());
    if (opened.isEmpty()) {
      err.println("llm-proxy: --explore needs a capture store; " + source.description() + " has none");
      close(vertx);
      return 1;
    }
    RequestStore store = opened.get();
    try {
      prepare(source, store, out, err);
    } catch (IOException | SQLException | RuntimeException e) {
      err.println("llm-proxy: cannot open " + source.description() + ": " + e.getMessage());
      store.close();
      close(vertx);
      return 1;
    }
    int port = options.port() == null ? DEFAULT_PORT : options.port();
    Router router = Router.router(vertx);
    router.get("/").handler(rc -> rc.response().setStatusCode(303).putHeader("Location", WebUi.ROOT + "/").end());
    WebUi.forExplorer(store, source.description(), Clock.systemUTC()).mount(router, vertx);
    router.route().last().handler(rc -> rc.response().setStatusCode(404).end("Not found; the explorer is at "
        + WebUi.ROOT + "/\n"));
    HttpServer server;
    try {
      server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
              .setHttp2ClearTextEnabled(false))
          .requestHandler(router).listen().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      err.println("llm-proxy: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
      close(vertx);
      store.close();
      return 1;
    }
    out.println("llm-proxy explorer on http://127.0.0.1:" + server.actualPort() + WebUi.ROOT + "/ ("
        + source.description() + "; Ctrl-C to stop)");
    out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      close(vertx);
      store.close();
    }, "llm-proxy-explorer-shutdown"));
    return -1;
  }

  private static void close(Vertx vertx) {
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // exiting anyway
    }
  }

  static Source source(Options options, Vertx vertx) throws ConfigException {
    if (options.data() != null) {
      return fromDirectory(options.data());
    }
    if (Files.isRegularFile(options.config())) {
      Snapshot snapshot = ConfigLoader.fromSystemEnv(vertx).loadAndWait(options.config());
      CaptureSettings capture = snapshot.capture();
      Path dir = capture.directory();
      if (capture.store().type() == CaptureSettings.StoreType.NONE) {
        if (dir == null) {
          throw new IllegalArgumentException(options.config() + " captures to neither a store nor a directory; "
              + "use --explore --data DIR");
        }
        return fromDirectory(dir);
      }
      return new Source(capture.store(), dir, capture.store().identity()
          + (dir == null ? "" : " and " + dir.toAbsolutePath().normalize()));
    }
    if (options.configGiven()) {
      throw new IllegalArgumentException("config file " + options.config() + " not found");
    }
    return fromDirectory(Path.of(DEFAULT_DATA));
  }

  private static Source fromDirectory(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(absolute)) {
      throw new IllegalArgumentException("no capture directory at " + absolute
          + " (give one with --data DIR, or run the proxy with capture on first)");
    }
    // retention 0: the explorer never deletes what it was given
    CaptureSettings.Store store = new CaptureSettings.Store(CaptureSettings.StoreType.SQLITE,
        absolute.resolve("requests.db"), null, null, null, 0);
    return new Source(store, absolute, absolute.toString());
  }

  /** A new or empty SQLite store is filled from the JSONL files before the UI opens. */
  private static void prepare(Source source, RequestStore store, PrintStream out, PrintStream err)
      throws IOException, SQLException {
    long now = System.currentTimeMillis();
    boolean sqlite = source.store().type() == CaptureSettings.StoreType.SQLITE;
    boolean fresh = sqlite && !Files.exists(source.store().path());
    store.connect(now);
    boolean empty = store.requests(RequestFilter.ALL, null, 1).items().isEmpty();
    if ((fresh || empty) && sqlite && source.datasetDir() != null && Files.isDirectory(source.datasetDir())) {
      DatasetIndex.Result r = DatasetIndex.index(source.datasetDir(), store, now, p -> err.println("llm-proxy: " + p));
      out.println("llm-proxy: indexed " + r.records() + " records from " + r.files() + " JSONL files into "
          + source.store().path() + (r.skipped() > 0 ? " (" + r.skipped() + " lines were not records)" : ""));
    }
  }
}
