package dev.llmproxy.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Node SDK's {@code responses.create}, plain and streamed, through the transparent mode
 * (bench/sdk-check/responses.mjs) to a mock provider speaking the Responses API. CI installs the SDK; a
 * developer machine without it skips, CI never does.
 */
class ResponsesSdkIT {

  private static final Path CHECK_DIR = Path.of("bench", "sdk-check");
  private static final String TEXT = "hello from responses";

  @Test
  void openAiSdkResponsesApiPassesThrough() throws Exception {
    boolean installed = Files.isDirectory(CHECK_DIR.resolve("node_modules/openai"));
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install the SDKs first: npm ci --prefix bench/sdk-check");
    }
    assumeTrue(installed, "SDKs not installed; run: npm ci --prefix bench/sdk-check");
    Vertx vertx = Vertx.vertx();
    try (MockUpstream openai = MockUpstream.start(vertx, "openai")) {
      openai.always((req, body, up) -> {
        JsonObject request = body.toJsonObject();
        if (Boolean.TRUE.equals(request.getBoolean("stream"))) {
          MockUpstream.sse(events(request.getString("model")), Duration.ofMillis(2), true).send(req, body, up);
        } else {
          MockUpstream.json(200, response(request.getString("model"), "completed")).send(req, body, up);
        }
      });
      try (GatewayHarness gw = GatewayHarness.start(vertx, """
          listen: "127.0.0.1:0"
          backends: [{name: openai, url: "%s", protocol: openai, credentials: client}]
          passthrough: {openai: openai}
          """.formatted(openai.url()))) {
        Process node = new ProcessBuilder("node", "responses.mjs", gw.baseUrl(), "gpt-5-codex", TEXT)
            .directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
        assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node timed out");
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), output);
        assertTrue(output.contains("responses passthrough checks passed"), output);
      }
      assertEquals(2, openai.count());
      for (MockUpstream.Received r : openai.received()) {
        assertEquals("/v1/responses", r.path());
        assertEquals("Bearer sk-client-own-key-for-passthrough", r.header("authorization"));
      }
    } finally {
      vertx.close().await();
    }
  }

  private static JsonObject response(String model, String status) {
    JsonArray output = new JsonArray();
    if (status.equals("completed")) {
      output.add(new JsonObject().put("type", "message").put("id", "msg_1").put("status", "completed")
          .put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
              .put("type", "output_text").put("text", TEXT).put("annotations", new JsonArray()))));
    }
    return new JsonObject().put("id", "resp_1").put("object", "response").put("created_at", 1_700_000_000)
        .put("status", status).put("model", model).put("output", output)
        .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 3).put("total_tokens", 8));
  }

  private static List<String> events(String model) {
    List<String> events = new ArrayList<>();
    int seq = 0;
    events.add(event("response.created", new JsonObject().put("type", "response.created")
        .put("sequence_number", seq++).put("response", response(model, "in_progress"))));
    for (String part : List.of("hello", " from", " responses")) {
      events.add(event("response.output_text.delta", new JsonObject().put("type", "response.output_text.delta")
          .put("sequence_number", seq++).put("item_id", "msg_1").put("output_index", 0).put("content_index", 0)
          .put("delta", part)));
    }
    events.add(event("response.completed", new JsonObject().put("type", "response.completed")
        .put("sequence_number", seq).put("response", response(model, "completed"))));
    return events;
  }

  private static String event(String name, JsonObject data) {
    return "event: " + name + "\ndata: " + data.encode() + "\n\n";
  }
}
