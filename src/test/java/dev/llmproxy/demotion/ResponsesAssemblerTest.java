package dev.llmproxy.demotion;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Responses API stream reassembled into the response object its non-stream call returns (capture, demotion). */
class ResponsesAssemblerTest {

  private static StreamAssembler feed(List<SseEvent> events) {
    StreamAssembler assembler = StreamAssembler.of(Endpoint.RESPONSES);
    events.forEach(e -> assembler.onEvent(e.name(), e.data()));
    return assembler;
  }

  private static JsonObject lastResponse(List<SseEvent> events) {
    return new JsonObject(events.get(events.size() - 1).data()).getJsonObject("response");
  }

  @Test
  void aCompletedStreamIsItsCompletedResponse() {
    List<SseEvent> events = ResponsesApi.parsed("text.sse");
    StreamAssembler a = feed(events);
    assertTrue(a.complete());
    assertNull(a.error());
    assertJsonEquals(lastResponse(events), a.result());
    assertEquals(ResponsesApi.TEXT,
        a.result().getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
  }

  @Test
  void aStreamCutShortIsBuiltFromItsEventsItemByItem() {
    List<SseEvent> text = ResponsesApi.parsed("text.sse");
    StreamAssembler a = feed(text.subList(0, 7));  // created, in_progress, item, part, "Hi", " there", "!"
    assertFalse(a.complete());
    JsonObject partial = a.result();
    assertEquals("in_progress", partial.getString("status"));
    assertEquals("resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", partial.getString("id"));
    assertJsonEquals(new JsonObject("""
        {"id":"msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b","type":"message","status":"in_progress",
         "role":"assistant","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Hi there!"}]}
        """), partial.getJsonArray("output").getJsonObject(0));

    List<SseEvent> call = ResponsesApi.parsed("function-call.sse");
    JsonObject function = feed(call.subList(0, call.size() - 3)).result().getJsonArray("output").getJsonObject(1);
    assertEquals("function_call", function.getString("type"));
    assertEquals("{\"location\":\"Paris, France\"}", function.getString("arguments"));
    assertEquals("get_weather", function.getString("name"));
  }

  @Test
  void theFunctionCallStreamEndsAsItsCompletedResponse() {
    List<SseEvent> events = ResponsesApi.parsed("function-call.sse");
    StreamAssembler a = feed(events);
    assertTrue(a.complete());
    assertJsonEquals(lastResponse(events), a.result());
  }

  @Test
  void aFailedResponseOrAnErrorEventIsTheError() {
    StreamAssembler failed = feed(ResponsesApi.parsed("failed-first.sse"));
    assertFalse(failed.complete());
    assertEquals("server_error", failed.error().getString("code"));
    assertEquals("failed", failed.result().getString("status"));

    StreamAssembler error = feed(List.of(SseEvent.parse(io.vertx.core.buffer.Buffer.buffer("event: error\ndata: "
        + "{\"type\":\"error\",\"sequence_number\":0,\"error\":{\"code\":\"x\",\"message\":\"m\"}}\n\n"))));
    assertEquals("m", error.error().getString("message"));
  }
}
