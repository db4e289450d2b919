package dev.llmproxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the HTTP codec refuses before any route sees it is answered in JSON too, with a trace id, then closed. */
@ExtendWith(VertxExtension.class)
class CodecErrorsIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private GatewayHarness gateway;

  @BeforeEach
  void start(Vertx vertx) {
    gateway = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local, model: echo}]}
        logging: {base_dir: ""}
        """);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private String exchange(String request) {
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      return raw.send(request).readUntilClosed(WAIT);
    }
  }

  private static JsonObject error(String response, int status) {
    assertTrue(response.matches("(?s)HTTP/1\\.[01] " + status + " .*"), response);
    assertTrue(response.toLowerCase().contains("content-type: application/json"), response);
    assertTrue(response.contains("X-Trace-ID: "), response);
    return new JsonObject(RawHttp.body(response));
  }

  @Test
  void aTooLongUrlIs414Json() {
    JsonObject body = error(exchange("GET /v1/models/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
    assertEquals("uri_too_long", body.getJsonObject("error").getString("code"));
  }

  @Test
  void tooLargeHeadersAre431JsonInTheAnthropicShapeForAnthropicClients() {
    JsonObject body = error(exchange("POST /v1/messages HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n"
        + "X-Big: " + "a".repeat(10_000) + "\r\n\r\n"), 431);
    assertEquals("error", body.getString("type"));
    assertEquals("invalid_request_error", body.getJsonObject("error").getString("type"));
  }

  @Test
  void aMalformedHeadIs400Json() {
    JsonObject body = error(exchange("GET /health HTTP/1.1\r\nHost: x\r\nNot a header line\r\n\r\n"), 400);
    assertEquals("invalid_request_error", body.getJsonObject("error").getString("type"));
  }
}
