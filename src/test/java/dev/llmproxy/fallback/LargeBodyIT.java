package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A coding agent's megabytes of prompt go out as the client's bytes with only the model value replaced: on the
 * first route, on its retry and on the next route, each time in full (the body sent is made of slices of the
 * client's buffer, written part by part, and no send may consume them for the next); passed through, as they are.
 */
@ExtendWith(VertxExtension.class)
class LargeBodyIT {

  private static final String ERROR_500 = "{\"error\":{\"message\":\"internal\",\"type\":\"server_error\"}}";

  /**
   * About 2 MiB of request: messages whose text has multi-byte UTF-8 (2, 3 and 4 bytes), every escape, and
   * {@code "model"} inside strings and nested objects; then the top-level model ({@code modelJson}, as bytes);
   * then tools, so there are bytes on both sides of the value.
   */
  static byte[] body(String modelJson) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, "{\n  \"messages\": [");
    String text = "Refactor caf\u00e9 \u2713 \uD83D\uDE80 \\\"quoted\\\" \\\\path\\\\ \\n\\t\\u00e9\\uD83D\\uDE00 "
        + "\\/ \\\"model\\\": \\\"gpt\\\" {\\\"model\\\":1} \u4e2d\u6587 ";
    for (int i = 0; i < 40; i++) {
      write(out, (i > 0 ? "," : "") + "\n    {\"role\": \"" + (i % 2 == 0 ? "user" : "assistant")
          + "\", \"metadata\": {\"model\": \"inner\"}, \"content\": \"");
      write(out, (text + i + " ").repeat(500));
      write(out, "\"}");
    }
    write(out, "\n  ],\n  \"model\" : ");
    write(out, modelJson);
    write(out, " ,\n  \"stream\": false,\n  \"tools\": [");
    for (int i = 0; i < 200; i++) {
      write(out, (i > 0 ? ", " : "") + "{\"name\": \"tool" + i + "\", \"description\": \""
          + "Reads a file \u00e9\u2713\\n".repeat(100) + "\", \"model\": null}");
    }
    write(out, "]\n}");
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  static HttpResponse<String> post(GatewayHarness gw, String path, byte[] body) {
    return gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aLargeBodyReachesEveryTryAsTheClientsBytesWithOnlyTheModelReplaced(Vertx vertx) {
    MockUpstream first = MockUpstream.start(vertx, "first").always(MockUpstream.status(500, ERROR_500));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s"}, {name: second, url: "%s"}]
        fallback: {retry_backoff: 10ms}
        timeout: {response_header: 10s}  # a mock that cannot read a broken body never answers: fail in time
        models:
          big:
            - {backend: first, model: "first-model", priority: 1}
            - {backend: second, model: "second \\"model\\" \u00e9", priority: 2}
        """.formatted(first.url(), second.url()))) {
      byte[] sent = body("\"big\"");
      assertEquals(2, sent.length >> 20, "about 2 MiB: " + sent.length);

      HttpResponse<String> r = post(gw, "/v1/chat/completions", sent);

      assertEquals(200, r.statusCode(), r.body());
      assertEquals("second", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      byte[] forFirst = body("\"first-model\"");
      assertEquals(2, first.count(), "one try and one retry on the first route");
      for (MockUpstream.Received got : first.received()) {
        assertArrayEquals(forFirst, got.body().getBytes());
        assertEquals(String.valueOf(forFirst.length), got.header("content-length"));
      }
      byte[] forSecond = body("\"second \\\"model\\\" \u00e9\"");
      assertArrayEquals(forSecond, second.last().body().getBytes());
      assertEquals(String.valueOf(forSecond.length), second.last().header("content-length"));
    }
  }

  /** The transparent mode sends the client's bytes as they are, megabytes too, with their length. */
  @Test
  void aLargeBodyPassedThroughReachesTheProviderAsItIs(Vertx vertx) {
    MockUpstream provider = MockUpstream.start(vertx, "provider");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: openai, url: "%s", credentials: client}]
        passthrough: {openai: openai}
        timeout: {response_header: 10s}
        """.formatted(provider.url()))) {
      byte[] sent = body("\"gpt-5-codex\"");

      HttpResponse<String> r = post(gw, "/v1/chat/completions", sent);

      assertEquals(200, r.statusCode(), r.body());
      assertArrayEquals(sent, provider.last().body().getBytes());
      assertEquals(String.valueOf(sent.length), provider.last().header("content-length"));
    }
  }
}
