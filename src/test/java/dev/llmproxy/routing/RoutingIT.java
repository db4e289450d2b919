package dev.llmproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Priority order and weighted load balancing, observed through the port. */
@ExtendWith(VertxExtension.class)
class RoutingIT {

  @Test
  void sharedPriorityIsLoadBalancedByWeightAndLowerTiersWaitTheirTurn(Vertx vertx) {
    MockUpstream a = MockUpstream.start(vertx, "a");
    MockUpstream b = MockUpstream.start(vertx, "b");
    MockUpstream spare = MockUpstream.start(vertx, "spare");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: a, url: "%s"}, {name: b, url: "%s"}, {name: spare, url: "%s"}]
        models:
          m:
            routes:
              - {backend: a, model: ma, priority: 1, weight: 1}
              - {backend: b, model: mb, priority: 1, weight: 3}
              - {backend: spare, model: ms, priority: 2}
        """.formatted(a.url(), b.url(), spare.url()))) {
      int n = 400;
      for (int i = 0; i < n; i++) {
        assertEquals(200, gw.post("/v1/chat/completions", GatewayHarness.chat("m", false)).statusCode());
      }
      assertEquals(0, spare.count(), "priority 2 is never used while priority 1 answers");
      double shareB = b.count() / (double) n;
      // Binomial(400, 0.75): sd ≈ 0.022; ±0.09 is four standard deviations.
      assertTrue(Math.abs(shareB - 0.75) < 0.09, "b served " + b.count() + " of " + n);
      assertEquals(n, a.count() + b.count());
    }
  }
}
