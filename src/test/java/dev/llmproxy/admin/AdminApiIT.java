package dev.llmproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AdminApiIT {

  private static final String KEY = "proxy-admin-key";

  private static String config(MockUpstream up, String extraModels) {
    // watch_interval 0: only POST /admin/reload may pick changes up, so the test proves it does.
    return """
        listen: "127.0.0.1:0"
        proxy_api_key: %s
        proxy: {watch_interval: 0}
        backends:
          - name: a
            url: "http://user:hunter2@127.0.0.1:%d/v1"
            api_key: sk-live-SECRET-123
            headers: {X-Org: org-SECRET-456}
        models:
          m:
            routes: [{backend: a, model: real}]
            system_prompt: "Be kind."
        %s""".formatted(KEY, URI.create(up.url()).getPort(), extraModels);
  }

  private static HttpResponse<String> reload(GatewayHarness gw, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/admin/reload"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminEndpointsNeedTheProxyKey(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "a");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      assertEquals(401, gw.get("/admin/config").statusCode());
      assertEquals(401, gw.get("/admin/config", "Authorization", "Bearer wrong").statusCode());
      var refused = reload(gw);
      assertEquals(401, refused.statusCode());
      assertEquals("invalid_api_key", new JsonObject(refused.body()).getJsonObject("error").getString("code"));
      assertEquals(200, gw.get("/admin/config", "x-api-key", KEY).statusCode());
    } finally {
      up.close();
    }
  }

  @Test
  void showsTheActiveConfigWithSecretsMaskedAndTheLastReload(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "a");
    String yaml = config(up, "");
    try (GatewayHarness gw = GatewayHarness.start(vertx, yaml)) {
      var r = gw.get("/admin/config", "Authorization", "Bearer " + KEY);
      assertEquals(200, r.statusCode(), r.body());
      for (String secret : new String[] {KEY, "SECRET-123", "SECRET-456", "hunter2"}) {
        assertFalse(r.body().contains(secret), secret + " leaked: " + r.body());
      }
      JsonObject body = new JsonObject(r.body());
      JsonObject active = body.getJsonObject("active");
      assertEquals(1, active.getLong("version"));
      assertEquals(GatewayHarness.sha256(yaml), active.getString("checksum"));
      assertEquals("127.0.0.1:" + gw.gateway().port(), active.getString("listening_on"));
      assertNull(body.getValue("last_reload"));
      JsonObject config = body.getJsonObject("config");
      assertEquals("****", config.getString("proxy_api_key"));
      JsonObject backend = config.getJsonArray("backends").getJsonObject(0);
      assertEquals("sk-****", backend.getString("api_key"));
      assertEquals("****", backend.getJsonObject("headers").getString("X-Org"));
      assertTrue(backend.getString("url").startsWith("http://****@127.0.0.1:"), backend.getString("url"));
      JsonObject prompt = config.getJsonObject("models").getJsonObject("m").getJsonObject("system_prompt");
      assertEquals("prepend", prompt.getString("mode"));
      assertEquals("Be kind.", prompt.getString("preview"));
      assertEquals("10s", config.getJsonObject("timeout").getString("connect"), "defaults are shown too");
    } finally {
      up.close();
    }
  }

  @Test
  void postReloadAppliesTheFileNowOrReportsWhyNot(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "a");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      String added = config(up, "  n: [{backend: a, model: real-n}]\n");
      gw.writeFile("config.yaml", added);
      assertEquals(404, gw.post("/v1/chat/completions", GatewayHarness.chat("n", false), "x-api-key", KEY).statusCode(),
          "watching is off: nothing changes by itself");

      var r = reload(gw, "x-api-key", KEY);
      assertEquals(200, r.statusCode(), r.body());
      JsonObject result = new JsonObject(r.body());
      assertEquals("applied", result.getString("outcome"));
      assertEquals("admin", result.getString("trigger"));
      assertEquals(2, result.getLong("version"));
      assertEquals("aliases added [n]", result.getString("changes"));
      assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("n", false), "x-api-key", KEY).statusCode());
      assertEquals("real-n", up.last().json().getString("model"));

      JsonObject shown = new JsonObject(gw.get("/admin/config", "x-api-key", KEY).body());
      assertEquals(2, shown.getJsonObject("active").getLong("version"));
      assertEquals(GatewayHarness.sha256(added), shown.getJsonObject("active").getString("checksum"));
      assertEquals("applied", shown.getJsonObject("last_reload").getString("outcome"));

      gw.writeFile("config.yaml", added.replace("model: real-n", "model: real-n, weight: -1"));
      JsonObject rejected = new JsonObject(reload(gw, "x-api-key", KEY).body());
      assertEquals("rejected", rejected.getString("outcome"));
      assertEquals(2, rejected.getLong("version"), "still serving version 2");
      assertEquals("models[\"n\"][0].weight: must be a positive whole number, got -1",
          rejected.getJsonArray("problems").getString(0));
      JsonObject after = new JsonObject(gw.get("/admin/config", "x-api-key", KEY).body());
      assertEquals(2, after.getJsonObject("active").getLong("version"));
      assertEquals("rejected", after.getJsonObject("last_reload").getString("outcome"));
      assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("n", false), "x-api-key", KEY).statusCode());

      // A forced reload of unchanged content still reloads (new version), and says nothing changed.
      gw.writeFile("config.yaml", added);
      JsonObject same = new JsonObject(reload(gw, "x-api-key", KEY).body());
      assertEquals("applied", same.getString("outcome"));
      assertEquals("no changes", same.getString("changes"));
    } finally {
      up.close();
    }
  }
}
