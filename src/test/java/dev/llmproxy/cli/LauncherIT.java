package dev.llmproxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.JarProcess;
import dev.llmproxy.support.PromText;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POSIX launcher {@code dist/llm-proxy}: finds the jar wherever it is installed and runs it with the heap
 * the memory benchmark chose.
 */
class LauncherIT {

  private static final Path LAUNCHER = Path.of("dist", "llm-proxy").toAbsolutePath();

  @TempDir Path dir;

  /** Runs {@code sh script args} with a clean environment plus {@code env}; returns exit code and output. */
  private static Result run(Path script, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("LLM_PROXY_JAR");
    builder.environment().remove("LLM_PROXY_JAVA_OPTS");
    builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.environment().putAll(env);
    Process p = builder.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private record Result(int code, String output) {}

  private Path copyLauncher(String relativeDir) throws IOException {
    Path target = dir.resolve(relativeDir).resolve("llm-proxy");
    Files.createDirectories(target.getParent());
    Files.copy(LAUNCHER, target);
    return target;
  }

  @Test
  void findsTheJarNextToItselfInShareOrFromTheEnvironment() throws Exception {
    Result beside = run(LAUNCHER, Map.of(), "--version");
    assertEquals(0, beside.code(), beside.output());
    assertTrue(beside.output().startsWith("llm-proxy "), beside.output());

    // Installed as ~/.local/bin/llm-proxy with the jar in ~/.local/share/llm-proxy/.
    Path bin = copyLauncher("local/bin");
    Files.createDirectories(dir.resolve("local/share/llm-proxy"));
    Files.createSymbolicLink(dir.resolve("local/share/llm-proxy/llm-proxy.jar"), JarProcess.jar().toAbsolutePath());
    Result share = run(bin, Map.of(), "--version");
    assertEquals(0, share.code(), share.output());

    // A symlink to the launcher finds the jar next to the launcher it points to.
    Path links = Files.createDirectories(dir.resolve("links"));
    Files.createSymbolicLink(links.resolve("llm-proxy"), LAUNCHER);
    Result linked = run(links.resolve("llm-proxy"), Map.of(), "--version");
    assertEquals(0, linked.code(), linked.output());

    Path alone = copyLauncher("alone");
    Result fromEnv = run(alone, Map.of("LLM_PROXY_JAR", JarProcess.jar().toAbsolutePath().toString()), "--version");
    assertEquals(0, fromEnv.code(), fromEnv.output());
    Result missing = run(alone, Map.of(), "--version");
    assertEquals(2, missing.code(), missing.output());
    assertTrue(missing.output().contains("cannot find llm-proxy.jar"), missing.output());
    Result wrongEnv = run(alone, Map.of("LLM_PROXY_JAR", "/nonexistent/llm-proxy.jar"), "--version");
    assertEquals(2, wrongEnv.code(), wrongEnv.output());
    assertTrue(wrongEnv.output().contains("LLM_PROXY_JAR=/nonexistent/llm-proxy.jar: no such file"), wrongEnv.output());
  }

  @Test
  void runsTheProxyWithTheBenchmarkedHeapAndPassesArgumentsOn() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("config.yaml"), """
        listen: "127.0.0.1:%d"
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local}]}
        logging: {base_dir: ""}
        """.formatted(port));
    ProcessBuilder builder = new ProcessBuilder("sh", LAUNCHER.toString(), "-config", "config.yaml")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
    builder.environment().remove("LLM_PROXY_JAVA_OPTS");
    builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process proxy = builder.start();
    try {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
      String metrics = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> client.send(scrape, HttpResponse.BodyHandlers.ofString()).body(), body -> body != null);
      double heapMax = PromText.parse(metrics).series("jvm_memory_max_bytes").entrySet().stream()
          .filter(e -> "heap".equals(e.getKey().get("area")))
          .mapToDouble(Map.Entry::getValue).max().orElse(-1);
      assertEquals(512.0 * 1024 * 1024, heapMax, "the launcher's -Xmx512m is in force: " + metrics);
    } finally {
      proxy.destroy();
      proxy.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
