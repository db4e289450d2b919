package dev.llmproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.FreePort;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@code kill -HUP} on the real process (dist/llm-proxy.jar) reloads the config; nothing else does here. */
@DisabledOnOs(OS.WINDOWS)
class SighupIT {

  private static final String CONFIG = """
      listen: "127.0.0.1:%d"
      proxy: {watch_interval: 0}
      backends:
        - {name: local, type: echo}
      models:
        m: [{backend: local}]
      """;

  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private Process process;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void hangupReloadsTheConfig() throws Exception {
    String jar = System.getProperty("llmproxy.jar");
    assertNotNull(jar, "failsafe passes -Dllmproxy.jar");
    Path dir = Files.createTempDirectory("llm-proxy-sighup");
    Path config = dir.resolve("config.yaml");
    // A fixed port: Main deploys one verticle per core, and those cannot share a port-0 server (see report).
    String yaml = CONFIG.formatted(FreePort.loopback());
    Files.writeString(config, yaml);
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar, "-config", config.toString())
        .redirectErrorStream(true)
        .start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // process ended
      }
    }, "sighup-it-stdout");
    reader.setDaemon(true);
    reader.start();

    Matcher listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)")
        .matcher(awaitLine(l -> l.contains("listening on http://")));
    assertTrue(listening.find());
    String base = "http://127.0.0.1:" + listening.group(1);
    HttpClient client = HttpClient.newHttpClient();
    assertFalse(models(client, base).contains("\"n\""));

    Files.writeString(config, yaml + "  n: [{backend: local}]\n");
    assertFalse(models(client, base).contains("\"n\""), "watching is off: the edit alone changes nothing");

    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
    assertEquals(0, kill.waitFor());
    String reloaded = awaitLine(l -> l.contains("config reloaded"));
    assertTrue(reloaded.contains("\"trigger\":\"SIGHUP\"") && reloaded.contains("aliases added [n]"), reloaded);
    assertTrue(models(client, base).contains("\"n\""));
    assertTrue(process.isAlive(), "SIGHUP must not end the process");
  }

  private static String models(HttpClient client, String base) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private String awaitLine(Predicate<String> which) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no such line from the gateway within 30 s");
      }
      if (which.test(line)) {
        return line;
      }
    }
  }
}
