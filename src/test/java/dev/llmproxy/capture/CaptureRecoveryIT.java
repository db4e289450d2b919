package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.support.ScriptedModel.Break;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stream cut mid-answer and finished on a second route (mid-stream recovery) is one record through the port:
 * both legs, the break and the continuation's prefilled body in {@code recoveries}, the request as the first
 * route received it, and the reassembled text equal to what the client received — the whole answer, once.
 */
@ExtendWith(VertxExtension.class)
class CaptureRecoveryIT {

  static final String ANSWER = IntStream.rangeClosed(1, 30).mapToObj(i -> String.format("word%02d", i))
      .collect(Collectors.joining(" ")) + ".";
  static final int CUT = 10;
  static final String DELIVERED = String.join("", ScriptedModel.pieces(ANSWER).subList(0, CUT));

  private static String config(MockUpstream first, MockUpstream second, String protocol) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: first, url: "%s", protocol: %s}, {name: second, url: "%s", protocol: %s}]
        models:
          m: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]
        fallback: {retry_same_route: 0}
        capture: {directory: data, store: {type: sqlite, path: data/requests.db}}
        """.formatted(first.url(), protocol, second.url(), protocol);
  }

  private static JsonObject onlyRecord(GatewayHarness gw, CaptureRecords records) throws Exception {
    records.awaitOne();
    List<JsonObject> lines = CaptureRecords.dataset(gw.dir().resolve("data"));
    assertEquals(1, lines.size(), "one record for the one request, however many legs: " + lines);
    return lines.get(0);
  }

  private static void assertBothLegsAndTheBreak(JsonObject record, String breakReason) {
    JsonObject first = new JsonObject().put("alias", "m").put("backend", "first").put("model", "m1");
    JsonObject second = new JsonObject().put("alias", "m").put("backend", "second").put("model", "m2");
    assertEquals(new JsonArray().add(first).add(second), record.getJsonArray("legs"));
    JsonArray recoveries = record.getJsonArray("recoveries");
    assertEquals(1, recoveries.size(), recoveries.encode());
    JsonObject recovery = recoveries.getJsonObject(0);
    assertEquals(first, recovery.getJsonObject("broken_route"));
    assertEquals(second, recovery.getJsonObject("continued_on"));
    assertTrue(recovery.getString("reason").contains(breakReason), recovery.encode());
    assertEquals(DELIVERED.length(), recovery.getInteger("delivered_chars"));
    assertEquals("m2", recovery.getJsonObject("request_body").getString("model"), "as the second route got it");
    assertEquals("m1", record.getJsonObject("request").getJsonObject("body").getString("model"),
        "the request as the first route received it");
  }

  @Test
  void aCutOpenAiStreamRecoveredOnASecondRouteIsOneRecordWithBothLegs(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first")
        .always(ScriptedModel.openAi(ANSWER).breaking(CUT, Break.RESET));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai"));
        CaptureRecords records = CaptureRecords.listen(gw.gateway().vertx())) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", """
          {"model":"m","stream":true,"messages":[{"role":"user","content":"count to thirty"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      String clientText = ClientStream.of(r.body()).openAiText();
      assertEquals(ANSWER, clientText, "recovered: the whole answer");

      JsonObject record = onlyRecord(gw, records);
      assertBothLegsAndTheBreak(record, "reset");
      assertEquals(clientText, record.getJsonObject("response").getString("text"));
      JsonArray prefill = record.getJsonArray("recoveries").getJsonObject(0).getJsonObject("request_body")
          .getJsonArray("messages");
      assertEquals(new JsonObject().put("role", "assistant").put("content", DELIVERED.stripTrailing()),
          prefill.getJsonObject(prefill.size() - 1), "the continuation's prefill is in the record");
      assertEquals("second", record.getString("backend"), "the route that finished the answer");
      assertNull(record.getString("error"), "recovered: not the request's error");
      assertEquals(200, record.getInteger("status"));
    }
  }

  @Test
  void aCutAnthropicStreamRecoveredOnASecondRouteReassemblesAsTheClientReadIt(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first")
        .always(ScriptedModel.anthropic(ANSWER).breaking(CUT, Break.ERROR_EVENT));
    MockUpstream second = MockUpstream.start(vertx, "second").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "anthropic"));
        CaptureRecords records = CaptureRecords.listen(gw.gateway().vertx())) {
      HttpResponse<String> r = gw.post("/v1/messages", """
          {"model":"m","stream":true,"max_tokens":200,"messages":[{"role":"user","content":"count to thirty"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      String clientText = ClientStream.of(r.body()).anthropicText();
      assertEquals(ANSWER, clientText);

      JsonObject record = onlyRecord(gw, records);
      assertBothLegsAndTheBreak(record, "error");
      assertEquals(clientText, record.getJsonObject("response").getString("text"));
      JsonObject message = record.getJsonObject("response").getJsonObject("message");
      assertEquals(1, message.getJsonArray("content").size(), "one text block, continued: " + message.encode());
      assertEquals("end_turn", message.getString("stop_reason"));
      assertNull(message.getValue("error"), "the broken leg's error event never reached the client");
    }
  }

  @Test
  void aStreamWithoutABreakHasOneLegAndNoRecovery(Vertx vertx) throws Exception {
    MockUpstream first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER));
    MockUpstream second = MockUpstream.start(vertx, "second");
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(first, second, "openai"));
        CaptureRecords records = CaptureRecords.listen(gw.gateway().vertx())) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", """
          {"model":"m","stream":true,"messages":[{"role":"user","content":"count to thirty"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      JsonObject record = onlyRecord(gw, records);
      assertEquals(new JsonArray().add(new JsonObject().put("alias", "m").put("backend", "first").put("model", "m1")),
          record.getJsonArray("legs"));
      assertEquals(new JsonArray(), record.getJsonArray("recoveries"));
      assertEquals(ANSWER, record.getJsonObject("response").getString("text"));
    }
  }
}
