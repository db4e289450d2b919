package dev.llmproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an operator sees of the cluster: /livez, /metrics, /admin/config; and a single process unchanged. */
class ClusterOpsIT {

  private static final String BASE = """
      listen: "127.0.0.1:0"
      proxy_api_key: "proxy-key"
      backends:
        - {name: local, type: echo}
      models:
        m: [{backend: local}]
      """;

  @Test
  void aPasswordProtectedRedisIsUsedAndItsPasswordNeverShown() {
    try (RedisServer redis = RedisServer.start("s3cret-pw");
        Fleet fleet = Fleet.start(redis, MutableClock.startingNow(), 1, i -> BASE + Fleet.cluster(redis, ""))) {
      fleet.awaitMode("redis");
      GatewayHarness gw = fleet.replica(0);
      JsonObject livez = new JsonObject(gw.get("/livez").body());
      assertEquals("redis", livez.getString("cluster_mode"));
      String config = gw.get("/admin/config", "Authorization", "Bearer proxy-key").body();
      JsonObject cluster = new JsonObject(config).getJsonObject("config").getJsonObject("cluster");
      assertEquals("redis://****@127.0.0.1:" + redis.port() + "/0", cluster.getJsonObject("redis").getString("url"));
      assertFalse(config.contains("s3cret-pw"), config);
      assertFalse(gw.get("/metrics").body().contains("s3cret-pw"));
      assertEquals(1.0, fleet.metrics(0).value("llmproxy_cluster_mode", "mode", "redis"));
    }
  }

  @Test
  void aSingleProcessHasNoClusterFieldsAndNeedsNoRedis() {
    Vertx vertx = Vertx.vertx();
    try (GatewayHarness gw = GatewayHarness.start(vertx, BASE, Map.of(), 1, MutableClock.startingNow())) {
      JsonObject livez = new JsonObject(gw.get("/livez").body());
      assertFalse(livez.containsKey("cluster_mode"), livez.encode());
      assertFalse(gw.get("/metrics").body().contains("llmproxy_cluster"));
      assertTrue(gw.post("/v1/chat/completions", GatewayHarness.chat("m", false), "Authorization", "Bearer proxy-key")
          .body().contains("[echo]"));
    } finally {
      vertx.close().await();
    }
  }
}
