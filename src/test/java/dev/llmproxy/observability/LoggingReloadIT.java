package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.ProxyProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The built jar re-applies its {@code logging:} section when the config file changes, without a restart. */
class LoggingReloadIT {

  private static final String CONFIG = """
      listen: "127.0.0.1:0"
      backends:
        - {name: local, type: echo}
      models:
        m: [{backend: local}]
      logging:
        base_dir: %s
        format: %s
      """;

  @Test
  void formatAndFilesFollowTheReloadedConfig() throws Exception {
    try (ProxyProcess proxy = ProxyProcess.start(CONFIG.formatted("logs", "json"))) {
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create(proxy.baseUrl() + "/v1/chat/completions"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.chat("m", false))).build();

      assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
      String jsonLine = proxy.awaitLine(l -> l.contains("llmproxy.access"), Duration.ofSeconds(10));
      assertEquals(200, new JsonObject(jsonLine).getInteger("status"));

      // The watcher notices the new content (no signal needed) and the reload listener re-applies logging,
      // which says so in the new format.
      Files.writeString(proxy.dir().resolve("config.yaml"), CONFIG.formatted("other-logs", "text"));
      String configured = proxy.awaitLine(l -> l.contains("logging configured"), Duration.ofSeconds(15));
      assertTrue(configured.contains(" INFO  dev.llmproxy.observability.LogSetup - logging configured"), configured);
      assertTrue(configured.contains("format=text"), configured);

      assertEquals(200, client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
      String textLine = proxy.awaitLine(l -> l.contains("llmproxy.access"), Duration.ofSeconds(10));
      assertTrue(textLine.contains(" INFO  llmproxy.access - method=POST path=/v1/chat/completions status=200"),
          textLine);
      assertFalse(textLine.startsWith("{"), textLine);

      proxy.terminate();
      assertEquals(0, proxy.awaitExit(Duration.ofSeconds(30)));
      String moved = Files.readString(proxy.dir().resolve("other-logs").resolve("requests.log"));
      assertTrue(moved.contains("status=200"), "the new base_dir gets the lines after the reload: " + moved);
      assertTrue(Files.readString(proxy.dir().resolve("logs").resolve("requests.log")).contains("\"status\":200"));
    }
  }
}
