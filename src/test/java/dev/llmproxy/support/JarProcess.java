package dev.llmproxy.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The built {@code dist/llm-proxy.jar} run as a real child process, its output collected line by line. */
public final class JarProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
  private final Thread reader;

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
          arrivals.add(line);
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, "jar-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static Path jar() {
    String path = System.getProperty("llmproxy.jar");
    if (path == null) {
      throw new IllegalStateException("system property llmproxy.jar is not set (run through mvn verify)");
    }
    return Path.of(path);
  }

  public static JarProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    return start(workDir, env, List.of(), args);
  }

  /** @param jvmOptions options placed before {@code -jar}, e.g. {@code -Djavax.net.ssl.trustStore=...} */
  public static JarProcess start(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.endsWith("_API_KEY") || k.equals("LLM_PROXY_KEY"));
    builder.environment().putAll(env);
    return new JarProcess(builder.start());
  }

  /**
   * Runs to completion and returns the exit code, once every line the process printed has been read: the reader
   * thread ends at the end of the output, so {@link #output()} is then complete however busy the machine is.
   */
  public int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("process did not exit within " + seconds + " s; output: " + output());
    }
    reader.join(TimeUnit.SECONDS.toMillis(seconds));
    if (reader.isAlive()) {
      throw new AssertionError("the output of the exited process was not read to its end within " + seconds
          + " s; output so far: " + output());
    }
    return process.exitValue();
  }

  /** Waits for an output line containing {@code needle}. */
  public String awaitLine(String needle, long seconds) throws InterruptedException {
    for (String line : lines) {
      if (line.contains(needle)) {
        return line;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      String line = arrivals.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.contains(needle)) {
        return line;
      }
      if (line == null && !process.isAlive()) {
        break;
      }
    }
    throw new AssertionError("no line containing \"" + needle + "\"; output so far:\n" + output());
  }

  public String output() {
    return String.join("\n", lines);
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() {
    // Through the handle, SIGTERM is sent without closing our end of the pipes, so lines the process prints
    // while shutting down are still read.
    process.toHandle().destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
