package dev.llmproxy.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for this test JVM, from the Debian {@code postgresql} package: a new cluster in a
 * temp directory, on a free loopback port, fsync off, started on first use and stopped (and deleted) when the JVM
 * exits. {@code initdb} and {@code postgres} refuse to run as root, so as root they run as the {@code postgres}
 * OS user (which the package creates) through {@code runuser}. Each test asks for its own database.
 *
 * <p>When the binaries are missing, {@link #shared()} is empty and {@link #unavailableReason()} says why; tests
 * then skip with that reason (.ci/run installs the package, so CI never skips).
 */
public final class PostgresServer {

  public static final String USER = "llmproxy";
  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;
  private static String unavailable;

  private final Path bin;
  private final Path dataDir;
  private final int port;
  private final boolean asPostgresUser;
  private Process server;

  private PostgresServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The JVM's server, started on the first call; empty when PostgreSQL is not installed. */
  public static synchronized Optional<PostgresServer> shared() {
    if (shared == null && unavailable == null) {
      Optional<Path> bin = binaries();
      if (bin.isEmpty()) {
        unavailable = "PostgreSQL is not installed (no " + DEBIAN_ROOT + "/*/bin/initdb): apt-get install postgresql";
        return Optional.empty();
      }
      try {
        shared = start(bin.get());
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("PostgreSQL is installed but did not start: " + e.getMessage(), e);
      }
    }
    return Optional.ofNullable(shared);
  }

  public static synchronized String unavailableReason() {
    return unavailable;
  }

  private static Optional<Path> binaries() {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(b -> versionOf(b.getParent())));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static PostgresServer start(Path bin) throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("llm-proxy-pg");
    if (root) {
      UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
    }
    int port = FreePort.loopback();
    PostgresServer pg = new PostgresServer(bin, dir, port, root);
    pg.run(Duration.ofSeconds(60), "initdb", "-D", dir.toString(), "-U", USER, "-A", "trust", "-E", "UTF8",
        "--no-sync");
    pg.server = new ProcessBuilder(pg.command("postgres", "-D", dir.toString(), "-p", String.valueOf(port),
        "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off", "-c", "max_connections=60"))
        .redirectErrorStream(true)
        .redirectOutput(log(dir).toFile())
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "postgres-test-server-stop"));
    await("PostgreSQL on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> {
          if (!pg.server.isAlive()) {
            throw new AssertionError("postgres exited: " + Files.readString(log(dir)));
          }
          try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), USER, "")) {
            return c.isValid(1);
          }
        });
    return pg;
  }

  private static Path log(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + ".log");
  }

  private List<String> command(String program, String... args) {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.add(bin.resolve(program).toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void run(Duration timeout, String program, String... args) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command(program, args)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      throw new IOException(program + " failed: " + output);
    }
  }

  /** A new, empty database; its JDBC URL. */
  public String createDatabase() {
    String name = "capture_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** The form the config takes: {@code postgresql://user@host:port/db}. */
  public String url(String database) {
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  private void stop() {
    try {
      run(Duration.ofSeconds(20), "pg_ctl", "-D", dataDir.toString(), "stop", "-m", "immediate");
    } catch (IOException | InterruptedException e) {
      server.destroyForcibly();
    }
    try (Stream<Path> files = Stream.concat(Files.walk(dataDir), Stream.of(log(dataDir)))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory; the OS cleans it eventually
    }
  }
}
