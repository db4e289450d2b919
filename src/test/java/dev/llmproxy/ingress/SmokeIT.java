package dev.llmproxy.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SmokeIT {
  @Test
  void proxiesToMock(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "a");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: a, url: "%s", api_key: up-key}
        models:
          m: [{backend: a, model: real-m}]
        """.formatted(up.url()))) {
      var r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("real-m", up.last().json().getString("model"));
    }
  }
}
