package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.GatewayHooks;
import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A provider's error answer relayed to the client as it is (an undetected 4xx, a context-length answer, an error
 * event of a stream) never carries the backend's key: configured secrets and key shapes are masked in it. The
 * attempt trail of a 502 names each status once. The same holds for the transparent mode's answers (both ways
 * in: a modelled endpoint with a model that is no alias, and any other /v1 path), where the key may also be the
 * client's own: masked too, before any observer sees the bytes.
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
  void anErrorEventMidAnswerIsMaskedBeforeRecoveryOrAnyObserverSeesIt(Vertx vertx) {
    // After content, an error event is a break that mid-stream recovery judges; with no route to continue on, the
    // client gets the provider's own event: masked, as the observers saw it.
    String chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"real\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Half an answer\"},"
        + "\"finish_reason\":null}]}\n\n";
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(List.of(chunk,
        "data: " + echoingError("server_error") + "\n\n"), Duration.ofMillis(5), true));
    Seen seen = new Seen();
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, ""), seen.hooks())) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", true));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().startsWith(chunk), r.body());
      assertTrue(r.body().contains("Bad request sent with key ****"), r.body());
      assertFalse(r.body().contains(KEY), r.body());
      assertFalse(r.body().contains("abcdefghijklmnop"), r.body());
      assertFalse(r.body().contains("[DONE]"), "never a clean end: " + r.body());
      assertTrue(seen.texts.stream().anyMatch(text -> text.contains("key ****")), "the observers saw the event");
      seen.texts.forEach(text -> assertFalse(text.contains(KEY), text));
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

  // ---- the transparent mode ------------------------------------------------------------------------------

  private static final String CLIENT_KEY = "client-own-key-0042abc";

  private static String passthroughConfig(MockUpstream upstream, String credentials) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", protocol: openai, %s}]
        passthrough: {openai: up}
        logging: {base_dir: ""}
        """.formatted(upstream.url(), credentials);
  }

  /** Records what the relays' observers are shown, to prove the masking happens before they see anything. */
  private static final class Seen {
    final List<String> texts = new CopyOnWriteArrayList<>();

    GatewayHooks hooks() {
      RelayObserver.Factory recording = ctx -> new RelayObserver() {
        @Override
        public void body(Buffer upstream, Buffer toClient) {
          texts.add(upstream.toString());
          texts.add(toClient.toString());
        }

        @Override
        public void event(SseEvent upstream, Buffer toClient) {
          texts.add(upstream.raw().toString());
          texts.add(toClient.toString());
        }
      };
      return new GatewayHooks(UnaryOperator.identity(), request -> { }, observers -> {
        List<RelayObserver.Factory> out = new ArrayList<>(observers);
        out.add(recording);
        return out;
      });
    }
  }

  @Test
  void aPassedThroughErrorAnswerIsMaskedWithItsLengthCorrectedBeforeAnyObserverSeesIt(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(400, echoingError("invalid_request")));
    Seen seen = new Seen();
    try (GatewayHarness gw = GatewayHarness.start(vertx,
        passthroughConfig(up, "credentials: backend, api_key: \"" + KEY + "\""), seen.hooks())) {
      for (String path : List.of("/v1/responses", "/v1/chat/completions")) {  // the catch-all, then the divert
        HttpResponse<String> r = gw.post(path, GatewayHarness.chat("not-an-alias", false));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("Bearer " + KEY, up.last().header("authorization"), "the backend's key was sent");
        assertFalse(r.body().contains(KEY), r.body());
        assertFalse(r.body().contains("abcdefghijklmnop"), r.body());
        // Parsed whole: the length the client was told is the masked body's.
        String message = new JsonObject(r.body()).getJsonObject("error").getString("message");
        assertTrue(message.startsWith("Bad request sent with key ****"), message);
        assertEquals(String.valueOf(r.body().length()), r.headers().firstValue("content-length").orElseThrow());
      }
      assertFalse(seen.texts.isEmpty(), "the observers saw the answers");
      seen.texts.forEach(text -> assertFalse(text.contains(KEY), text));
    }
  }

  @Test
  void aPassedThroughStreamsErrorEventIsMaskedAndEveryOtherEventPassesByteForByte(Vertx vertx) {
    List<String> events = List.of(
        "event: response.created\r\ndata: {\"type\":\"response.created\",\"response\":{\"error\":null}}\r\n\r\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
            + "\"delta\":\"use sk-example-1234567890 here\"}\n\n",
        "event: error\ndata: {\"type\":\"error\",\"message\":\"rejected key " + KEY + "\"}\n\n");
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ofMillis(5), true));
    Seen seen = new Seen();
    try (GatewayHarness gw = GatewayHarness.start(vertx,
        passthroughConfig(up, "credentials: backend, api_key: \"" + KEY + "\""), seen.hooks())) {
      HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"gpt-x\",\"stream\":true}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(events.get(0) + events.get(1)
          + "event: error\ndata: {\"type\":\"error\",\"message\":\"rejected key ****\"}\n\n", r.body());
      seen.texts.forEach(text -> assertFalse(text.contains(KEY), text));
    }
  }

  @Test
  void inTheTransparentModeTheClientsOwnKeyIsMaskedToo(Vertx vertx) {
    // Whatever its shape: the proxy knows the key it forwarded. The bytes also reach the observers (capture).
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.status(401,
        new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
            .put("message", "Incorrect API key provided: " + CLIENT_KEY + ".")).encode()));
    Seen seen = new Seen();
    try (GatewayHarness gw = GatewayHarness.start(vertx, passthroughConfig(up, "credentials: client"), seen.hooks())) {
      HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"gpt-x\"}",
          "authorization", "Bearer " + CLIENT_KEY);
      assertEquals(401, r.statusCode(), r.body());
      assertEquals("Bearer " + CLIENT_KEY, up.last().header("authorization"), "the client's own key was sent");
      assertEquals("Incorrect API key provided: ****.",
          new JsonObject(r.body()).getJsonObject("error").getString("message"));
      seen.texts.forEach(text -> assertFalse(text.contains(CLIENT_KEY), text));
    }
  }

  @Test
  void aSuccessfulPassedThroughAnswerIsUntouchedEvenWhenItQuotesTheKey(Vertx vertx) {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.chat("your key is " + CLIENT_KEY));
    try (GatewayHarness gw = GatewayHarness.start(vertx, passthroughConfig(up, "credentials: client"))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("gpt-x", false),
          "authorization", "Bearer " + CLIENT_KEY);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("your key is " + CLIENT_KEY), "model output is the client's: " + r.body());
    }
  }
}
