package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A provider's error answer relayed to the client as it is (an undetected 4xx, a context-length answer, an error
 * event of a stream) never carries the backend's key: configured secrets and key shapes are masked in it. The
 * attempt trail of a 502 names each status once.
 */
@ExtendWith(VertxExtension.class)
class RelayMaskingIT {

  private static final String KEY = "plain-backend-secret-42";

  private static String config(MockUpstream upstream, String extra) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", api_key: "%s"}]
        models: {m: [{backend: up, model: real}]}
        fallback: {retry_same_route: 0}
        logging: {base_dir: ""}
        %s
        """.formatted(upstream.url(), KEY, extra);
  }

  private static String echoingError(String type) {
    return new JsonObject().put("error", new JsonObject().put("type", type)
        .put("message", "Bad request sent with key " + KEY + " (Authorization: Bearer " + KEY
            + "); also seen: sk-proj-abcdefghijklmnop")).encode();
  }

  @Test
  void anUndetectedErrorAnswerIsRelayedWithItsStatusButWithoutKeys(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(400, echoingError("invalid_request")));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(400, r.statusCode(), r.body());
      assertFalse(r.body().contains(KEY), r.body());
      assertFalse(r.body().contains("abcdefghijklmnop"), r.body());
      String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
      assertTrue(message.startsWith("Bad request sent with key ****"), message);
    }
  }

  @Test
  void aContextLengthAnswerWithNowhereElseToGoIsMaskedToo(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(400,
        new JsonObject().put("error", new JsonObject().put("code", "context_length_exceeded")
            .put("message", "maximum context length exceeded for key " + KEY)).encode()));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("context_length_exceeded"), r.body());
      assertFalse(r.body().contains(KEY), r.body());
    }
  }

  @Test
  void aStreamsErrorEventIsMasked(Vertx vertx) {
    // A content-policy error before any content is the provider's answer: passed through, as an event.
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(List.of(
        "data: " + echoingError("content_filter") + "\n\n"), Duration.ZERO, true));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("content_filter"), r.body());
      assertFalse(r.body().contains(KEY), r.body());
    }
  }

  @Test
  void aSuccessfulAnswerIsRelayedByteForByteEvenWhenItLooksLikeAKey(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("use sk-example-1234567890 here"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("use sk-example-1234567890 here"), "model output is the client's: " + r.body());
    }
  }

  @Test
  void theAttemptTrailOfA502NamesEachStatusOnceAndNoKey(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(401, echoingError("auth")));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", false));
      assertEquals(502, r.statusCode(), r.body());
      String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
      assertTrue(message.contains("up/real: 401 Bad request"), message);
      assertFalse(message.contains("401 401"), message);
      assertFalse(message.contains(KEY), message);
    }
  }
}
