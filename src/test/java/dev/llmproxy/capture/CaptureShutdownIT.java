package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.JarProcess;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ProxyProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGTERM on the real jar under load: every request the gateway served (streams still running when the signal
 * came included) is in the dataset and in the store, 0 lost; the requests the drain refused are not. Then
 * {@code --export} streams the same records from the store.
 */
@ExtendWith(VertxExtension.class)
class CaptureShutdownIT {

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private MockUpstream upstream;
  private ProxyProcess proxy;

  @BeforeEach
  void upstream(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up");
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.close();
  }

  private CompletableFuture<HttpResponse<String>> send(boolean stream, int i) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .header("X-Trace-ID", "load-" + i)
        .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", stream))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sigtermUnderLoadLosesNoRecordAndExportStreamsThemBack() throws Exception {
    upstream.always((req, body, up) -> {
      boolean stream = body.toJsonObject().getBoolean("stream", false);
      (stream ? MockUpstream.sse(MockUpstream.openAiStream("real", "a", "b", "c", "d", "e", "f"),
          Duration.ofMillis(60), true) : MockUpstream.chat("done")).send(req, body, up);
    });
    proxy = ProxyProcess.start("""
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", api_key: "shutdown-backend-key"}]
        models: {m: [{backend: up, model: real}]}
        logging: {base_dir: logs}
        shutdown: {drain_timeout: 20s}
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
        """.formatted(upstream.url()));

    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      responses.add(send(i % 2 == 0, i));
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> upstream.count() >= 20);
    proxy.terminate();
    proxy.awaitLine(l -> l.contains("shutdown: draining"), Duration.ofSeconds(10));
    for (int i = 60; i < 80; i++) {
      responses.add(send(i % 2 == 0, i));  // arrive while draining: refused, so not captured
    }
    List<String> served = new ArrayList<>();
    int refused = 0;
    for (var future : responses) {
      try {
        HttpResponse<String> r = future.join();
        if (r.statusCode() == 200) {
          served.add(r.request().headers().firstValue("X-Trace-ID").orElseThrow());
        } else {
          assertEquals(503, r.statusCode(), r.body());
          refused++;
        }
      } catch (java.util.concurrent.CompletionException e) {
        refused++;  // the listener closed before this connection was accepted
      }
    }
    assertEquals(0, proxy.awaitExit(Duration.ofSeconds(40)));
    assertTrue(served.size() >= 20, "served " + served.size());
    assertTrue(refused > 0, "some requests came during the drain");

    Set<String> captured = CaptureRecords.dataset(proxy.dir().resolve("data")).stream()
        .map(l -> l.getString("trace_id")).collect(Collectors.toSet());
    assertEquals(Set.copyOf(served), captured, "every served request, and only those, is in the dataset");
    assertTrue(proxy.output().contains("capture: closed (" + served.size() + " records written, 0 dropped"),
        proxy.output());

    try (JarProcess export = JarProcess.start(proxy.dir(), Map.of(), "-config", "config.yaml", "--export")) {
      assertEquals(0, export.waitFor(60));
      List<JsonObject> exported = export.output().lines().filter(l -> l.startsWith("{"))
          .map(JsonObject::new).toList();
      assertEquals(Set.copyOf(served), exported.stream().map(l -> l.getString("trace_id")).collect(Collectors.toSet()));
      assertEquals(served.size(), exported.size());
      assertTrue(export.output().contains("exported " + served.size() + " records"), export.output());
    }
  }
}
