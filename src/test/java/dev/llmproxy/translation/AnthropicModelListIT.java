package dev.llmproxy.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.llmproxy.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/models} answers each SDK in its own list shape, chosen by the {@code anthropic-version} header. */
@ExtendWith(VertxExtension.class)
class AnthropicModelListIT {

  @Test
  void anthropicClientsGetAnthropicsShapeOpenAiClientsKeepTheirs(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models:
          claude: [{backend: local}]
          gpt-4: [{backend: local}]
        """)) {
      HttpResponse<String> anthropic = gw.get("/v1/models", "anthropic-version", "2023-06-01");
      assertEquals(200, anthropic.statusCode());
      JsonObject page = new JsonObject(anthropic.body());
      JsonArray data = page.getJsonArray("data");
      assertEquals(2, data.size());
      assertEquals("model", data.getJsonObject(0).getString("type"));
      assertEquals("claude", data.getJsonObject(0).getString("id"));
      assertEquals("claude", page.getString("first_id"));
      assertEquals("gpt-4", page.getString("last_id"));
      assertFalse(page.getBoolean("has_more"));

      JsonObject openAi = new JsonObject(gw.get("/v1/models").body());
      assertEquals("list", openAi.getString("object"));
      assertEquals("model", openAi.getJsonArray("data").getJsonObject(0).getString("object"));
    }
  }
}
