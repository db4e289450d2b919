package dev.llmproxy.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.FreePort;
import dev.llmproxy.capture.Capture;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.JarProcess;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --explore} as an operator runs it, on the built jar: over a capture directory that has only JSONL files,
 * it indexes them into a new SQLite store and serves the UI on loopback; the rows it indexed are the rows the
 * proxy's own store has for the same records (same columns, same search); a second start reuses the store.
 */
class ExploreIT {

  static final List<String> SEARCHES = List.of("narwhals", "terse", "walrus", "echo", "unknown");

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Captures four requests with a store; returns the capture directory. */
  private Path capture() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: local, type: echo}
        models:
          chat: [{backend: local, model: echo}]
          claude: [{backend: local, model: echo}]
        capture:
          directory: captured
          store: {type: sqlite, path: captured/requests.db}
        """)) {
      BlockingQueue<JsonObject> written = new LinkedBlockingQueue<>();
      MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Capture.RECORDS_ADDRESS,
          m -> written.add(m.body()));
      consumer.completion().await();
      gw.post("/v1/chat/completions", chat("chat", "tell me about narwhals"), "X-Session-ID", "explore-1");
      gw.post("/v1/chat/completions", chat("chat", "and about belugas"), "X-Session-ID", "explore-1");
      gw.post("/v1/messages", new JsonObject().put("model", "claude").put("max_tokens", 20).put("stream", true)
          .put("system", "Be terse.").put("messages", new JsonArray().add(new JsonObject().put("role", "user")
              .put("content", "walrus weight?"))).encode());
      gw.post("/v1/chat/completions", chat("nope", "unknown alias"));
      for (int i = 0; i < 4; i++) {
        if (written.poll(10, TimeUnit.SECONDS) == null) {
          throw new AssertionError("only " + i + " records written");
        }
      }
      Path captured = gw.dir().resolve("captured");
      Path copy = dir.resolve("dataset-only");
      try (Stream<Path> files = Files.walk(captured)) {
        for (Path p : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
          Path target = copy.resolve(captured.relativize(p));
          Files.createDirectories(target.getParent());
          Files.copy(p, target);
        }
      }
      Files.writeString(copy.resolve("notes.jsonl"), "{\"not\": \"a record\"}\n");
      return captured;
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void indexesADatasetIntoANewStoreAndServesTheSameRowsAsTheProxysStore() throws Exception {
    Path proxyStoreDir = capture();
    Path datasetOnly = dir.resolve("dataset-only");
    assertFalse(Files.exists(datasetOnly.resolve("requests.db")));

    int port = FreePort.loopback();
    JsonArray indexedRows;
    Map<String, List<String>> searches = new java.util.HashMap<>();
    try (JarProcess explorer = JarProcess.start(dir, Map.of(), "--explore", "--data", "dataset-only",
        "--port", String.valueOf(port))) {
      explorer.awaitLine("indexed 4 records from ", 60);
      explorer.awaitLine("(1 lines were not records)", 5);
      explorer.awaitLine("llm-proxy explorer on http://127.0.0.1:" + port + "/ui/", 30);
      String base = "http://127.0.0.1:" + port;
      assertEquals(303, get(base + "/").statusCode());
      assertEquals(200, get(base + "/ui/").statusCode());
      JsonObject status = json(base + "/ui/api/status");
      assertEquals("explore", status.getString("mode"));
      assertEquals("loopback", status.getString("auth"));
      indexedRows = json(base + "/ui/api/requests").getJsonArray("data");
      assertEquals(4, indexedRows.size());
      assertEquals(1, json(base + "/ui/api/requests?q=belugas").getJsonArray("data").size(), "full-text search");
      assertEquals(1, json(base + "/ui/api/requests?q=walrus+weight").getJsonArray("data").size());
      assertEquals(2, json(base + "/ui/api/requests?session=explore-1").getJsonArray("data").size());
      String id = indexedRows.getJsonObject(0).getString("id");
      JsonObject record = json(base + "/ui/api/requests/" + id);
      assertEquals(id, record.getString("id"));
      assertEquals(4, sum(json(base + "/ui/api/series?window=all").getJsonObject("total")
          .getJsonArray("requests")));
      for (String q : SEARCHES) {
        searches.put(q, ids(json(base + "/ui/api/requests?q=" + q)));
      }
    }
    assertTrue(Files.exists(datasetOnly.resolve("requests.db")));

    int port2 = FreePort.loopback();
    try (JarProcess proxyStore = JarProcess.start(dir, Map.of(), "--explore", "--data", proxyStoreDir.toString(),
        "--port", String.valueOf(port2))) {
      proxyStore.awaitLine("llm-proxy explorer on", 60);
      assertFalse(proxyStore.output().contains("indexed"), "a store with rows is not indexed again");
      String base = "http://127.0.0.1:" + port2;
      assertEquals(indexedRows, json(base + "/ui/api/requests").getJsonArray("data"),
          "indexing a record line gives the row the proxy stored for it");
      for (String q : SEARCHES) {
        List<String> found = ids(json(base + "/ui/api/requests?q=" + q));
        assertFalse(found.isEmpty(), q);
        assertEquals(found, searches.get(q), "the same words find the same records: " + q);
      }
    }

    int port3 = FreePort.loopback();
    try (JarProcess again = JarProcess.start(dir, Map.of(), "--explore", "--data", "dataset-only",
        "--port", String.valueOf(port3))) {
      again.awaitLine("llm-proxy explorer on", 60);
      assertFalse(again.output().contains("indexed"), "the explorer's own store is reused");
      assertEquals(4, json("http://127.0.0.1:" + port3 + "/ui/api/requests").getJsonArray("data").size());
    }
  }

  @Test
  void commandLineMistakesAreClear() throws Exception {
    try (JarProcess p = JarProcess.start(dir, Map.of(), "--data", "x")) {
      assertEquals(2, p.waitFor(30));
      p.awaitLine("--data only goes with --explore", 5);
    }
    try (JarProcess p = JarProcess.start(dir, Map.of(), "--explore", "--port", "http")) {
      assertEquals(2, p.waitFor(30));
      p.awaitLine("--port must be a number", 5);
    }
    try (JarProcess p = JarProcess.start(dir, Map.of(), "--explore", "--data", "no-such-dir")) {
      assertEquals(1, p.waitFor(30));
      p.awaitLine("no capture directory at", 5);
    }
    try (JarProcess p = JarProcess.start(dir, Map.of(), "--explore", "-config", "missing.yaml")) {
      assertEquals(1, p.waitFor(30));
      p.awaitLine("config file missing.yaml not found", 5);
    }
  }

  private static List<String> ids(JsonObject page) {
    return page.getJsonArray("data").stream().map(r -> ((JsonObject) r).getString("id")).toList();
  }

  private static String chat(String model, String text) {
    return new JsonObject().put("model", model).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", text))).encode();
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject json(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = get(url);
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return new JsonObject(r.body());
  }

  private static long sum(JsonArray values) {
    return values.stream().mapToLong(v -> ((Number) v).longValue()).sum();
  }

}
