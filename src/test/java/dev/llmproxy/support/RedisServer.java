package dev.llmproxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (the Debian package) on a free loopback port, in a temp directory, without
 * persistence. Tests can kill it (SIGKILL: connections drop at once), freeze it (SIGSTOP: connections stay open
 * and nothing answers) and bring it back on the same port.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String password;
  private Process process;

  private RedisServer(Path dir, int port, String password) {
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  public static RedisServer start() {
    return start(null);
  }

  /** @param password required from clients ({@code requirepass}), or null for none */
  public static RedisServer start(String password) {
    try {
      RedisServer server = new RedisServer(Files.createTempDirectory("llm-proxy-redis"), FreePort.loopback(), password);
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not start redis-server: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
  }

  private void launch() throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "no"));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    org.awaitility.Awaitility.await("redis-server on port " + port + " answers PING")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
          }
          return answersPing();
        });
  }

  /** True when the server answers PING now (the test's own view, independent of the gateway's client). */
  public boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      s.setSoTimeout(500);
      if (password != null && !"+OK".equals(send(s, "AUTH " + password))) {
        return false;
      }
      return "+PONG".equals(send(s, "PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs one inline command and returns the first reply line (e.g. {@code :3}, {@code $-1}, {@code +OK}). */
  public String command(String inline) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      if (password != null) {
        send(s, "AUTH " + password);
      }
      return send(s, inline);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String send(Socket s, String inline) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) != -1 && c != '\n'; ) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** SIGKILL: the server is gone and its connections are reset. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the server keeps its connections but answers nothing, like an overloaded or hung Redis. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a fresh, empty server on the same port (after {@link #kill()}). */
  public void restart() {
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      thaw();
      kill();
    }
  }


  /** How long the tests let a replica take to notice a change of Redis (it checks every 250 ms). */
  public static final Duration NOTICE = Duration.ofSeconds(15);
}
