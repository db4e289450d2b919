package dev.llmproxy.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Request framing (RFC 9112 section 6.1), on raw sockets because an HTTP client library never sends these: a
 * request read one way by a front proxy and another way by us must be refused and its connection closed, so
 * nothing after it can be smuggled in as a request of its own.
 */
@ExtendWith(VertxExtension.class)
class RequestFramingIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private MockUpstream upstream;
  private GatewayHarness gateway;

  @BeforeEach
  void start(Vertx vertx) {
    upstream = MockUpstream.start(vertx, "up").always(MockUpstream.chat("served"));
    gateway = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s"}]
        models: {m: [{backend: up, model: real}]}
        logging: {base_dir: ""}
        """.formatted(upstream.url()));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static String chat(String framing, String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing
        + "\r\n" + body;
  }

  @Test
  void contentLengthWithChunkedIsRefusedAndNothingAfterItIsServed() {
    String chunked = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    String smuggled = "GET /admin/config HTTP/1.1\r\nHost: x\r\n\r\n";
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String all = raw.send(chat("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
          Integer.toHexString(chunked.length()) + "\r\n" + chunked + "\r\n0\r\n\r\n" + smuggled)).readUntilClosed(WAIT);
      assertTrue(all.startsWith("HTTP/1.1 400 "), all);
      assertEquals(1, all.split("HTTP/1\\.1 ", -1).length - 1, "exactly one answer, then the close: " + all);
      assertFalse(all.contains("\"active\""), "the smuggled request was not served: " + all);
      JsonObject error = new JsonObject(RawHttp.body(all)).getJsonObject("error");
      assertTrue(error.getString("message").contains("Content-Length and Transfer-Encoding"), all);
    }
    assertEquals(0, upstream.count(), "the refused request was not forwarded either");
  }

  @Test
  void aTransferEncodingThatDoesNotEndInChunkedIsRefusedAtOnce() {
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String all = raw.send(chat("Content-Length: 4\r\nTransfer-Encoding: chunked, identity\r\n", "abcd"))
          .readUntilClosed(WAIT);
      assertTrue(all.startsWith("HTTP/1.1 400 "), all);
      assertEquals("invalid_request_error", new JsonObject(RawHttp.body(all)).getJsonObject("error").getString("type"));
    }
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String all = raw.send(chat("Transfer-Encoding: identity\r\n", "")).readUntilClosed(WAIT);
      assertTrue(all.startsWith("HTTP/1.1 400 "), all);
    }
  }

  @Test
  void anUnsupportedTransferCodingIs501InTheClientsProtocol() {
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String all = raw.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
          .readUntilClosed(WAIT);
      assertTrue(all.startsWith("HTTP/1.1 501 "), all);
      JsonObject body = new JsonObject(RawHttp.body(all));
      assertEquals("error", body.getString("type"), all);
    }
  }

  @Test
  void aPlainChunkedRequestIsServedAndTheConnectionKeptForTheNext() {
    String chunked = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (RawHttp raw = RawHttp.connect(gateway.gateway().port())) {
      String first = raw.send(chat("Transfer-Encoding: chunked\r\n",
          Integer.toHexString(chunked.length()) + "\r\n" + chunked + "\r\n0\r\n\r\n")).readResponse(WAIT);
      assertTrue(first.startsWith("HTTP/1.1 200 "), first);
      assertTrue(first.contains("served"), first);
      String second = raw.send(chat("Content-Length: " + chunked.length() + "\r\n", chunked)).readResponse(WAIT);
      assertTrue(second.startsWith("HTTP/1.1 200 "), second);
    }
    assertEquals(2, upstream.count());
  }
}
