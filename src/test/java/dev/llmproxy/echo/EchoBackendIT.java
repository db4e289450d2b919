package dev.llmproxy.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.GatewayHooks;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built-in echo backend through the proxy: a request it cannot answer gets a 400 in the client's protocol
 * (as a provider would send), a bug of its own a 500 at once; neither cools the echo route.
 */
@ExtendWith(VertxExtension.class)
class EchoBackendIT {

  /** The echo route first; a spare that would serve if the echo route were wrongly cooled. */
  private static String config(MockUpstream spare) {
    return """
        listen: "127.0.0.1:0"
        backends:
          - {name: local, type: echo}
          - {name: spare, url: "%s"}
        models:
          echo: [{backend: local, model: echo, priority: 1}, {backend: spare, model: s, priority: 2}]
        fallback: {retry_same_route: 0}
        logging: {base_dir: ""}
        """.formatted(spare.url());
  }

  private static final GatewayHooks THROWING_ECHO = new GatewayHooks(UnaryOperator.identity(), request -> {
    if (request.getHeader("x-echo-fault") != null) {
      throw new ClassCastException("injected: the echo backend hit a bug");
    }
  });

  @Test
  void malformedMessagesGetA400InTheClientsProtocolAndCoolNothing(Vertx vertx) {
    MockUpstream spare = MockUpstream.start(vertx, "spare").always(MockUpstream.chat("spare"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(spare))) {
      for (String body : new String[] {
          "{\"model\":\"echo\",\"messages\":\"hi\"}",
          "{\"model\":\"echo\",\"messages\":[\"x\"]}",
          "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":5}]}"}) {
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);
        assertEquals(400, r.statusCode(), body + " -> " + r.body());
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertEquals("invalid_request_error", error.getString("type"), r.body());
        assertTrue(error.getString("message").contains("'messages"), r.body());
      }
      HttpResponse<String> anthropic = gw.post("/v1/messages", "{\"model\":\"echo\",\"max_tokens\":5,\"messages\":\"hi\"}");
      assertEquals(400, anthropic.statusCode(), anthropic.body());
      JsonObject body = new JsonObject(anthropic.body());
      assertEquals("error", body.getString("type"), anthropic.body());
      assertEquals("invalid_request_error", body.getJsonObject("error").getString("type"), anthropic.body());

      assertServedByTheEcho(gw);
      assertEquals(0, spare.count(), "the echo route was never cooled: the spare got nothing");
    }
  }

  @Test
  void aBugInTheEchoIsA500AtOnceThatCoolsNothing(Vertx vertx) throws Exception {
    MockUpstream spare = MockUpstream.start(vertx, "spare").always(MockUpstream.chat("spare"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(spare), THROWING_ECHO);
        LogCapture log = LogCapture.of(EchoBackend.class)) {
      for (boolean stream : new boolean[] {false, true}) {
        HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("echo", stream),
            "x-echo-fault", "yes");
        assertEquals(500, r.statusCode(), r.body());
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertEquals("internal_error", error.getString("code"), r.body());
        assertTrue(error.getString("message").contains("echo backend"), r.body());
        String traceId = r.headers().firstValue("X-Trace-ID").orElseThrow();
        assertTrue(error.getString("message").contains(traceId), r.body());
        log.awaitLine("trace_id=" + traceId, Duration.ofSeconds(5));
      }
      HttpResponse<String> anthropic = gw.post("/v1/messages",
          "{\"model\":\"echo\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          "x-echo-fault", "yes");
      assertEquals(500, anthropic.statusCode(), anthropic.body());
      assertEquals("api_error", new JsonObject(anthropic.body()).getJsonObject("error").getString("type"));

      assertServedByTheEcho(gw);
      assertEquals(0, spare.count(), "a bug of the proxy's own is not a reason to fall back or cool the echo");
    }
  }

  private static void assertServedByTheEcho(GatewayHarness gw) {
    HttpResponse<String> ok = gw.post("/v1/chat/completions",
        "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"still here\"}]}");
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("local", ok.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
    assertTrue(ok.body().contains("[echo] still here"), ok.body());
  }
}
