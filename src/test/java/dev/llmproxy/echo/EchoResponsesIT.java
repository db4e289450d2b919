package dev.llmproxy.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import dev.llmproxy.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The echo backend answers {@code POST /v1/responses} in the API's shapes, so the example config serves the
 * Responses API with no key: the example file itself, keyless, through the real port.
 */
@ExtendWith(VertxExtension.class)
class EchoResponsesIT {

  private static GatewayHarness exampleConfig(Vertx vertx) throws Exception {
    String example = Files.readString(Path.of("config.example.yaml"))
        .replace("listen: \"127.0.0.1:8765\"", "listen: \"127.0.0.1:0\"");
    return GatewayHarness.start(vertx, example, Map.of(), 2);  // no environment: every provider key unset
  }

  private static List<SseEvent> events(String body) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventSplitter().feed(Buffer.buffer(body), raw -> events.add(SseEvent.parse(raw)));
    return events;
  }

  @Test
  void theExampleConfigAnswersAResponseWithoutAKey(Vertx vertx) throws Exception {
    try (GatewayHarness gw = exampleConfig(vertx)) {
      HttpResponse<String> r = gw.post("/v1/responses", "{\"model\":\"gpt-4\",\"input\":\"hello\"}");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("local", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      JsonObject response = new JsonObject(r.body());
      assertEquals("response", response.getString("object"));
      assertEquals("completed", response.getString("status"));
      assertEquals("echo", response.getString("model"));
      JsonObject message = response.getJsonArray("output").getJsonObject(0);
      assertEquals("message", message.getString("type"));
      assertEquals("[echo] hello", message.getJsonArray("content").getJsonObject(0).getString("text"));
      JsonObject usage = response.getJsonObject("usage");
      assertEquals(usage.getInteger("input_tokens") + usage.getInteger("output_tokens"),
          usage.getInteger("total_tokens"));
    }
  }

  @Test
  void aStreamIsTheApisEventSequence(Vertx vertx) throws Exception {
    try (GatewayHarness gw = exampleConfig(vertx)) {
      String request = new JsonObject().put("model", "echo").put("stream", true).put("instructions", "be brief")
          .put("input", new JsonArray()
              .add(new JsonObject().put("role", "user").put("content", "first"))
              .add(new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray()
                  .add(new JsonObject().put("type", "input_text").put("text", "hello there")))))
          .encode();
      HttpResponse<String> r = gw.post("/v1/responses", request);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
      List<SseEvent> events = events(r.body());
      List<String> types = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < events.size(); i++) {
        JsonObject data = new JsonObject(events.get(i).data());
        assertEquals(data.getString("type"), events.get(i).name(), "event name and type agree");
        assertEquals(i, data.getInteger("sequence_number"));
        types.add(data.getString("type"));
        if (data.getString("type").equals("response.output_text.delta")) {
          text.append(data.getString("delta"));
        }
      }
      assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
          "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
          "response.output_text.delta", "response.output_text.done", "response.content_part.done",
          "response.output_item.done", "response.completed"), types);
      assertEquals("[echo] hello there", text.toString());
      JsonObject completed = new JsonObject(events.get(events.size() - 1).data()).getJsonObject("response");
      assertEquals("be brief", completed.getString("instructions"));
      assertEquals("[echo] hello there", completed.getJsonArray("output").getJsonObject(0).getJsonArray("content")
          .getJsonObject(0).getString("text"));
      assertEquals("in_progress",
          new JsonObject(events.get(0).data()).getJsonObject("response").getString("status"));
    }
  }
}
