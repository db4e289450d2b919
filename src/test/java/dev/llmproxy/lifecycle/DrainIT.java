package dev.llmproxy.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ProxyProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM on the real jar in a child process: the stream in flight completes, new requests get 503, health
 * says draining, the process exits 0 with its logs flushed; a second signal exits at once.
 */
@ExtendWith(VertxExtension.class)
class DrainIT {

  static final String PROXY_KEY = "drain-proxy-key-8642";
  static final String BACKEND_KEY = "sk-drainbackendkey000111";

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private MockUpstream upstream;
  private ProxyProcess proxy;

  @BeforeEach
  void upstream(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "slow");
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.close();
  }

  private ProxyProcess start(String drainTimeout) throws Exception {
    proxy = ProxyProcess.start("""
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        backends:
          - {name: slow, url: "%s", api_key: "%s"}
        models:
          m: [{backend: slow, model: real-m}]
        logging:
          base_dir: logs
        shutdown:
          drain_timeout: %s
        """.formatted(PROXY_KEY, upstream.url(), BACKEND_KEY, drainTimeout));
    return proxy;
  }

  private HttpResponse<Stream<String>> openStream() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + PROXY_KEY)
        .header("X-Trace-ID", "drain-stream-1")
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", true)))
        .build();
    return client.send(request, HttpResponse.BodyHandlers.ofLines());
  }

  private HttpResponse<String> post(String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + PROXY_KEY).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(proxy.baseUrl() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String firstDataLine(Iterator<String> lines) {
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data:")) {
        return line;
      }
    }
    throw new AssertionError("stream ended without data");
  }

  @Test
  void streamInFlightCompletesNewRequestsAreRefusedAndTheProcessExitsZero() throws Exception {
    String[] words = {"one", "two", "three", "four", "five", "six", "seven", "eight"};
    upstream.always(MockUpstream.sse(MockUpstream.openAiStream("real-m", words), Duration.ofMillis(150), true));
    start("30s");

    HttpResponse<Stream<String>> stream = openStream();
    assertEquals(200, stream.statusCode());
    Iterator<String> lines = stream.body().iterator();
    List<String> received = new ArrayList<>();
    received.add(firstDataLine(lines));  // the stream is in flight

    proxy.terminate();
    proxy.awaitLine(l -> l.contains("shutdown: draining"), Duration.ofSeconds(10));

    HttpResponse<String> health = get("/health");
    assertEquals(503, health.statusCode());
    assertEquals("draining", new JsonObject(health.body()).getString("status"));
    JsonObject livez = new JsonObject(get("/livez").body());
    assertEquals(true, livez.getBoolean("draining"));
    assertEquals(1, livez.getInteger("in_flight"));
    HttpResponse<String> refused = post(GatewayHarness.chat("m", false));
    assertEquals(503, refused.statusCode());
    assertEquals("service_unavailable", new JsonObject(refused.body()).getJsonObject("error").getString("code"));
    assertEquals(1, upstream.count(), "the refused request never reached the backend");

    lines.forEachRemaining(received::add);
    String all = String.join("\n", received);
    for (String w : words) {
      assertTrue(all.contains("\"content\":\"" + w + "\""), "missing " + w + " in\n" + all);
    }
    assertTrue(all.contains("data: [DONE]"), all);

    assertEquals(0, proxy.awaitExit(Duration.ofSeconds(30)));
    String output = proxy.output();
    assertTrue(output.contains("shutdown: drained"), output);
    assertTrue(output.contains("shutdown: complete"), output);

    // Logs were flushed before exit: the stream's access line is in requests.log.
    Path logs = proxy.dir().resolve("logs");
    String requests = Files.readString(logs.resolve("requests.log"));
    JsonObject access = requests.lines().map(JsonObject::new)
        .filter(l -> "drain-stream-1".equals(l.getString("trace_id"))).findFirst().orElseThrow();
    assertEquals(200, access.getInteger("status"));
    assertEquals(true, access.getBoolean("stream"));
    assertTrue(requests.contains("\"status\":503"), "the refused request is logged too");

    // No secret in anything the process logged, console or files.
    StringBuilder everything = new StringBuilder(output);
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.toList()) {
        everything.append(Files.readString(f));
      }
    }
    assertFalse(everything.toString().contains(PROXY_KEY));
    assertFalse(everything.toString().contains(BACKEND_KEY));
  }

  @Test
  void aSecondSignalExitsAtOnce() throws Exception {
    // One content event, then the upstream keeps the stream open forever.
    upstream.always(MockUpstream.sse(MockUpstream.openAiStream("real-m", "stuck").subList(0, 2), Duration.ZERO, false));
    start("5m");
    HttpResponse<Stream<String>> stream = openStream();
    firstDataLine(stream.body().iterator());

    proxy.terminate();
    proxy.awaitLine(l -> l.contains("shutdown: draining"), Duration.ofSeconds(10));
    long signalled = System.nanoTime();
    proxy.terminate();
    assertEquals(128 + 15, proxy.awaitExit(Duration.ofSeconds(20)));
    assertTrue(Duration.ofNanos(System.nanoTime() - signalled).compareTo(Duration.ofSeconds(20)) < 0);
    assertTrue(proxy.output().contains("second SIGTERM"), proxy.output());
  }

  @Test
  void drainTimeoutCutsWhatIsStillRunningAndExitsZero() throws Exception {
    upstream.always(MockUpstream.sse(MockUpstream.openAiStream("real-m", "stuck").subList(0, 2), Duration.ZERO, false));
    start("1s");
    HttpResponse<Stream<String>> stream = openStream();
    Iterator<String> lines = stream.body().iterator();
    firstDataLine(lines);

    proxy.terminate();
    assertEquals(0, proxy.awaitExit(Duration.ofSeconds(30)));
    assertTrue(proxy.output().contains("drain timeout reached"), proxy.output());
    List<String> rest = new ArrayList<>();
    try {
      lines.forEachRemaining(rest::add);
    } catch (RuntimeException e) {
      // the connection was cut: what the client of a stream past the drain timeout sees
    }
    assertFalse(String.join("\n", rest).contains("[DONE]"), "a cut stream must not look complete");
  }
}
