package dev.llmproxy.support;

import dev.llmproxy.Gateway;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.Snapshot;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts a real gateway on a loopback port from a YAML text, exactly as {@code Main} does, and offers an
 * independent HTTP client (the JDK's) to talk to it.
 */
public final class GatewayHarness implements AutoCloseable {

  private final Path dir;
  private final Gateway gateway;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private GatewayHarness(Path dir, Gateway gateway) {
    this.dir = dir;
    this.gateway = gateway;
  }

  public static GatewayHarness start(Vertx vertx, String yaml) {
    return start(vertx, yaml, Map.of(), 2);
  }

  public static GatewayHarness start(Vertx vertx, String yaml, Map<String, String> env, int instances) {
    try {
      Path dir = Files.createTempDirectory("llm-proxy-test");
      Files.createDirectories(dir.resolve("system_prompts"));
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, yaml);
      Snapshot snapshot = new ConfigLoader(env).load(config);
      Gateway gateway = Gateway.start(vertx, snapshot, instances).await();
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
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build(), HttpResponse.BodyHandlers.ofString());
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
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build(), HttpResponse.BodyHandlers.ofLines());
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
