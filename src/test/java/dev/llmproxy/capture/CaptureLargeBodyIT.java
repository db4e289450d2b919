package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A megabyte request is sent as slices of the client's buffer around the route's model (fallback.RealModel); capture,
 * reading it off the event loop after the send, stores it as the serving route received it.
 */
@ExtendWith(VertxExtension.class)
class CaptureLargeBodyIT {

  @Test
  void aLargeRequestIsCapturedAsTheServingRouteReceivedIt(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(500, "{\"error\":{}}"));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
            listen: "127.0.0.1:0"
            backends: [{name: first, url: "%s"}, {name: second, url: "%s"}]
            fallback: {retry_same_route: 0}
            models: {big: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]}
            capture: {directory: data, store: {type: none}}
            """.formatted(first.url(), second.url()));
        CaptureRecords records = CaptureRecords.listen(gw.gateway().vertx())) {
      String text = "caf\u00e9 \u2713 \uD83D\uDE80 \\\"quoted\\\" \\n".repeat(60_000);
      byte[] body = ("{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}],\"model\":\"big\",\"n\":1}")
          .getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());

      records.awaitOne();
      List<JsonObject> lines = CaptureRecords.dataset(gw.dir().resolve("data"));
      assertEquals(1, lines.size());
      JsonObject captured = lines.get(0).getJsonObject("request").getJsonObject("body");
      assertEquals(second.last().json(), captured);
      assertEquals("m2", captured.getString("model"));
      assertEquals(text.replace("\\\"", "\"").replace("\\n", "\n"),
          captured.getJsonArray("messages").getJsonObject(0).getString("content"));
      assertFalse(lines.get(0).getJsonArray("truncated", new io.vertx.core.json.JsonArray()).contains("request.body"));
    }
  }
}
