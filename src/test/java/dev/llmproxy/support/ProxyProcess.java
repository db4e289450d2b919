package dev.llmproxy.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built jar ({@code -Dllmproxy.jar}, set by failsafe) running as a child process with a config written to a
 * temp directory. Its stdout and stderr are read as lines as they come, so tests await log lines as events.
 */
public final class ProxyProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

  private final Path dir;
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final int port;
  private final Thread reader;

  private ProxyProcess(Path dir, Process process, Duration startTimeout) throws InterruptedException {
    this.dir = dir;
    this.process = process;
    this.reader = new Thread(this::pump, "proxy-process-output");
    reader.setDaemon(true);
    reader.start();
    String line = awaitLine(l -> LISTENING.matcher(l).find(), startTimeout);
    Matcher m = LISTENING.matcher(line);
    m.find();
    this.port = Integer.parseInt(m.group(1));
  }

  /** Writes {@code yaml} as config.yaml in a new temp directory and starts the jar on it. */
  public static ProxyProcess start(String yaml) throws IOException, InterruptedException {
    String jar = System.getProperty("llmproxy.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("-Dllmproxy.jar must name the built jar (run through mvn verify), got " + jar);
    }
    Path dir = Files.createTempDirectory("llm-proxy-process");
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, yaml);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "-config", config.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .start();
    try {
      return new ProxyProcess(dir, p, Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.add(line);
        lines.add(line);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Waits for an output line (since the last awaited one) that matches. */
  public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no matching output line within " + timeout + "; output so far:\n"
            + String.join("\n", output));
      }
      if (matches.test(line)) {
        return line;
      }
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  public Process process() {
    return process;
  }

  /** Everything the process printed so far. */
  public String output() {
    return String.join("\n", output);
  }

  /**
   * SIGTERM on Unix. Through the process handle: {@code Process.destroy()} sends the same signal but also closes
   * our end of the child's stdout, and the lines it prints while draining would be lost.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** @return the exit code */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process still running after " + timeout + "; output:\n" + output());
    }
    // The exit does not mean its last lines were read yet: wait for the end of its output.
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
