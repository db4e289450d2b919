package dev.llmproxy.support;

import dev.llmproxy.Gateway;
import dev.llmproxy.GatewayHooks;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.PromptFiles;
import dev.llmproxy.config.ReloadResult;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Starts a real gateway on a loopback port from a YAML text, exactly as {@code Main} does, and offers an
 * independent HTTP client (the JDK's) to talk to it. The config watcher runs as in production; the reload
 * helpers change files and wait for the watcher's verdict on exactly that content (an event, not a sleep).
 */
public final class GatewayHarness implements AutoCloseable {

  private final Path dir;
  private final Gateway gateway;
  private final BlockingQueue<ReloadResult> reloads = new LinkedBlockingQueue<>();
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private GatewayHarness(Path dir, Gateway gateway) {
    this.dir = dir;
    this.gateway = gateway;
    gateway.services().config().onResult(reloads::add);
  }

  public static GatewayHarness start(Vertx vertx, String yaml) {
    return start(vertx, yaml, Map.of(), 2);
  }

  public static GatewayHarness start(Vertx vertx, String yaml, Map<String, String> env, int instances) {
    return start(vertx, yaml, env, instances, java.time.Clock.systemUTC());
  }

  /** With a clock the test controls (cooldowns): see {@link MutableClock}. */
  public static GatewayHarness start(Vertx vertx, String yaml, java.time.Clock clock) {
    return start(vertx, yaml, Map.of(), 2, clock);
  }

  /** With test seams: a pipeline stage that throws, an echo backend that fails (see {@link GatewayHooks}). */
  public static GatewayHarness start(Vertx vertx, String yaml, GatewayHooks hooks) {
    return start(vertx, yaml, Map.of(), 2, java.time.Clock.systemUTC(), hooks);
  }

  public static GatewayHarness start(
      Vertx vertx, String yaml, Map<String, String> env, int instances, java.time.Clock clock) {
    return start(vertx, yaml, env, instances, clock, GatewayHooks.NONE);
  }

  public static GatewayHarness start(Vertx vertx, String yaml, Map<String, String> env, int instances,
      java.time.Clock clock, GatewayHooks hooks) {
    try {
      Path dir = Files.createTempDirectory("llm-proxy-test");
      Files.createDirectories(dir.resolve("system_prompts"));
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, yaml);
      ConfigLoader loader = new ConfigLoader(vertx, env);
      Gateway gateway = loader.load(config)
          .compose(snapshot -> Gateway.start(vertx, loader, snapshot, instances, clock, hooks)).await();
      return new GatewayHarness(dir, gateway);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start: " + e.getMessage(), e);
    }
  }

  public Gateway gateway() {
    return gateway;
  }

  public Path dir() {
    return dir;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  public HttpClient client() {
    return client;
  }

  public HttpResponse<String> post(String path, String body, String... headers) {
    return send(postRequest(path, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts and returns the response as soon as headers arrive, with the body as a lazy line stream. */
  public HttpResponse<Stream<String>> postStreaming(String path, String body, String... headers) {
    return send(postRequest(path, body, headers), HttpResponse.BodyHandlers.ofLines());
  }

  private HttpRequest postRequest(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b.build();
  }

  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return client.send(request, handler);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public void writeFile(String relative, String content) {
    try {
      Files.writeString(dir.resolve(relative), content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Overwrites config.yaml in place (truncate + write) and waits for the watcher to apply or reject it. */
  public ReloadResult rewriteConfig(String yaml) {
    writeFile("config.yaml", yaml);
    return awaitConfig(yaml);
  }

  /** Saves config.yaml the way many editors do: write a temp file, then rename it over the original. */
  public ReloadResult renameConfig(String yaml) {
    try {
      Path tmp = dir.resolve(".config.yaml.tmp");
      Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve("config.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return awaitConfig(yaml);
  }

  /** Writes system_prompts/&lt;alias&gt;.txt (null deletes it) and waits until a reload has judged that content. */
  public ReloadResult writePrompt(String alias, String text) {
    Path file = dir.resolve("system_prompts").resolve(alias + ".txt");
    try {
      if (text == null) {
        Files.deleteIfExists(file);
      } else {
        Files.writeString(file, text, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String expected = PromptFiles.read(dir.resolve("system_prompts")).checksum();
    return awaitReload(r -> r.promptsChecksum().equals(expected), Duration.ofSeconds(10));
  }

  /** Waits for the reload verdict on this config text. */
  public ReloadResult awaitConfig(String yaml) {
    String expected = sha256(yaml);
    return awaitReload(r -> r.configChecksum().equals(expected), Duration.ofSeconds(10));
  }

  /** Waits for the first applied or rejected reload matching {@code which}, dropping earlier ones. */
  public ReloadResult awaitReload(Predicate<ReloadResult> which, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        ReloadResult r = reloads.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (r == null) {
          throw new AssertionError("no matching reload within " + timeout);
        }
        if (which.test(r)) {
          return r;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    gateway.stop().await();
  }

  /** A chat request body for {@code model}. */
  public static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }
}
