package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Streams of both protocols back into the one answer they stand for, field by field. */
class StreamReassemblyTest {

  private static List<CaptureTap.Event> responsesEvents(String fixture) {
    return ResponsesApi.parsed(fixture).stream().map(e -> new CaptureTap.Event(e.name(), e.data())).toList();
  }

  @Test
  void aResponsesStreamBecomesItsResponseObjectAndATextOrToolCallIsReadFromIt() {
    JsonObject response = RecordBuilder.reassemble(Endpoint.RESPONSES, Protocol.OPENAI, responsesEvents("text.sse"));
    assertEquals("response", response.getString("object"));
    assertEquals("completed", response.getString("status"));
    assertEquals(ResponsesApi.TEXT, MessageText.answerText(response));

    JsonObject call = RecordBuilder.reassemble(Endpoint.RESPONSES, Protocol.OPENAI,
        responsesEvents("function-call.sse"));
    assertEquals("", MessageText.answerText(call), "no message, only a function call");
    assertEquals("get_weather\n{\"location\":\"Paris, France\"}", MessageText.answerExtras(call));
  }

  @Test
  void aResponsesStreamCutByAnErrorEventKeepsWhatArrivedAndTheError() {
    List<CaptureTap.Event> events = new ArrayList<>(responsesEvents("text.sse").subList(0, 6));  // two deltas
    events.add(new CaptureTap.Event("error", "{\"type\":\"error\",\"code\":\"server_error\","
        + "\"message\":\"The server had an error\"}"));
    JsonObject partial = RecordBuilder.reassemble(Endpoint.RESPONSES, Protocol.OPENAI, events);
    assertEquals("in_progress", partial.getString("status"));
    assertEquals("Hi there", MessageText.answerText(partial));
    assertEquals("server_error", partial.getJsonObject("error").getString("code"));
  }

  @Test
  void theRecordedSystemPromptOfAResponsesRequestIsItsInstructionsAndSystemInputs() {
    // Decoded from text, as the writer reads a body: nested objects are plain maps inside.
    JsonObject request = new JsonObject("""
        {"model":"m","instructions":"Be terse.","input":[{"role":"developer","content":"Use tools."},
         {"role":"user","content":[{"type":"input_text","text":"first question"}]}]}""");
    assertEquals("Be terse.\nUse tools.", MessageText.systemPrompt(request));
    assertEquals("first question", MessageText.firstUserMessage(request));
    assertEquals("Be terse.\nUse tools.\nfirst question", MessageText.requestText(request));
    assertNull(MessageText.systemPrompt(new JsonObject().put("input", "plain")));
  }

  private static CaptureTap.Event data(String json) {
    return new CaptureTap.Event(null, json);
  }

  private static CaptureTap.Event event(String name, JsonObject json) {
    return new CaptureTap.Event(name, json.encode());
  }

  private static String chunk(JsonObject delta, String finish) {
    return new JsonObject().put("id", "c1").put("object", "chat.completion.chunk").put("created", 7)
        .put("model", "gpt-x").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", delta).put("finish_reason", finish))).encode();
  }

  @Test
  void openAiContentReasoningAndToolCallsAreJoined() {
    List<CaptureTap.Event> events = new ArrayList<>();
    events.add(data(chunk(new JsonObject().put("role", "assistant").put("content", ""), null)));
    events.add(data(chunk(new JsonObject().put("reasoning_content", "Think "), null)));
    events.add(data(chunk(new JsonObject().put("reasoning_content", "first."), null)));
    events.add(data(chunk(new JsonObject().put("content", "Hel"), null)));
    events.add(data(chunk(new JsonObject().put("content", "lo"), null)));
    events.add(data(chunk(new JsonObject().put("tool_calls", new JsonArray()
        .add(new JsonObject().put("index", 0).put("id", "call_a").put("type", "function")
            .put("function", new JsonObject().put("name", "get_weather").put("arguments", "")))
        .add(new JsonObject().put("index", 1).put("id", "call_b").put("type", "function")
            .put("function", new JsonObject().put("name", "get_time").put("arguments", "{\"tz\"")))), null)));
    events.add(data(chunk(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
        .put("function", new JsonObject().put("arguments", "{\"city\":")))), null)));
    events.add(data(chunk(new JsonObject().put("tool_calls", new JsonArray()
        .add(new JsonObject().put("index", 0).put("function", new JsonObject().put("arguments", "\"Oslo\"}")))
        .add(new JsonObject().put("index", 1).put("function", new JsonObject().put("arguments", ":\"UTC\"}")))),
        null)));
    events.add(data(chunk(new JsonObject(), "tool_calls")));
    events.add(data(new JsonObject().put("id", "c1").put("choices", new JsonArray())
        .put("usage", new JsonObject().put("prompt_tokens", 11).put("completion_tokens", 22)).encode()));
    events.add(data("[DONE]"));

    JsonObject answer = StreamReassembly.openAi(events);

    assertEquals("chat.completion", answer.getString("object"));
    assertEquals("c1", answer.getString("id"));
    assertEquals("gpt-x", answer.getString("model"));
    assertEquals(22, answer.getJsonObject("usage").getInteger("completion_tokens"));
    JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject message = choice.getJsonObject("message");
    assertEquals("assistant", message.getString("role"));
    assertEquals("Hello", message.getString("content"));
    assertEquals("Think first.", message.getString("reasoning_content"));
    JsonArray calls = message.getJsonArray("tool_calls");
    assertEquals(2, calls.size());
    assertEquals("call_a", calls.getJsonObject(0).getString("id"));
    assertEquals("get_weather", calls.getJsonObject(0).getJsonObject("function").getString("name"));
    assertEquals("{\"city\":\"Oslo\"}", calls.getJsonObject(0).getJsonObject("function").getString("arguments"));
    assertEquals("{\"tz\":\"UTC\"}", calls.getJsonObject(1).getJsonObject("function").getString("arguments"));
    assertEquals("Hello", MessageText.answerText(answer));
  }

  @Test
  void openAiChoicesStayApartAndLegacyCompletionsJoinText() {
    List<CaptureTap.Event> events = List.of(
        data(new JsonObject().put("choices", new JsonArray()
            .add(new JsonObject().put("index", 1).put("delta", new JsonObject().put("content", "B1")))
            .add(new JsonObject().put("index", 0).put("delta", new JsonObject().put("content", "A1")))).encode()),
        data(new JsonObject().put("choices", new JsonArray()
            .add(new JsonObject().put("index", 0).put("delta", new JsonObject().put("content", "A2"))
                .put("finish_reason", "stop"))).encode()));
    JsonArray choices = StreamReassembly.openAi(events).getJsonArray("choices");
    assertEquals("A1A2", choices.getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals("B1", choices.getJsonObject(1).getJsonObject("message").getString("content"));
    assertNull(choices.getJsonObject(1).getString("finish_reason"));

    JsonObject legacy = StreamReassembly.openAi(List.of(
        data("{\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"once \"}]}"),
        data("{\"choices\":[{\"index\":0,\"text\":\"upon\",\"finish_reason\":\"length\"}]}")));
    assertEquals("text_completion", legacy.getString("object"));
    assertEquals("once upon", legacy.getJsonArray("choices").getJsonObject(0).getString("text"));
    assertEquals("once upon", MessageText.answerText(legacy));
  }

  @Test
  void anthropicBlocksAreRebuiltWithThinkingSignatureToolInputCitationsAndStopReason() {
    JsonObject citation = new JsonObject().put("type", "char_location").put("cited_text", "the sky is blue")
        .put("document_index", 0).put("start_char_index", 0).put("end_char_index", 15);
    List<CaptureTap.Event> events = List.of(
        event("message_start", new JsonObject().put("type", "message_start").put("message", new JsonObject()
            .put("id", "msg_1").put("type", "message").put("role", "assistant").put("model", "claude-x")
            .put("content", new JsonArray()).put("stop_reason", (Object) null)
            .put("usage", new JsonObject().put("input_tokens", 40).put("output_tokens", 1)))),
        event("content_block_start", block(0, new JsonObject().put("type", "thinking").put("thinking", "")
            .put("signature", ""))),
        blockDelta(0, "thinking_delta", "thinking", "Let me "),
        blockDelta(0, "thinking_delta", "thinking", "see."),
        blockDelta(0, "signature_delta", "signature", "EqQB"),
        event("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0)),
        event("ping", new JsonObject().put("type", "ping")),
        event("content_block_start", block(1, new JsonObject().put("type", "text").put("text", ""))),
        blockDelta(1, "text_delta", "text", "The sky "),
        blockDelta(1, "citations_delta", "citation", citation),
        blockDelta(1, "text_delta", "text", "is blue."),
        event("content_block_start", block(2, new JsonObject().put("type", "tool_use").put("id", "toolu_1")
            .put("name", "lookup").put("input", new JsonObject()))),
        blockDelta(2, "input_json_delta", "partial_json", ""),
        event("content_block_delta", delta(2, new JsonObject().put("type", "input_json_delta")
            .put("partial_json", "{\"query\": \"sk"))),
        event("content_block_delta", delta(2, new JsonObject().put("type", "input_json_delta")
            .put("partial_json", "y\", \"n\": 3}"))),
        event("message_delta", new JsonObject().put("type", "message_delta")
            .put("delta", new JsonObject().put("stop_reason", "tool_use").put("stop_sequence", (Object) null))
            .put("usage", new JsonObject().put("output_tokens", 57))),
        event("message_stop", new JsonObject().put("type", "message_stop")));

    JsonObject message = StreamReassembly.anthropic(events);

    assertEquals("msg_1", message.getString("id"));
    assertEquals("claude-x", message.getString("model"));
    assertEquals("tool_use", message.getString("stop_reason"));
    assertEquals(new JsonObject().put("input_tokens", 40).put("output_tokens", 57), message.getJsonObject("usage"));
    JsonArray content = message.getJsonArray("content");
    assertEquals(3, content.size());
    assertEquals(new JsonObject().put("type", "thinking").put("thinking", "Let me see.").put("signature", "EqQB"),
        content.getJsonObject(0));
    assertEquals("The sky is blue.", content.getJsonObject(1).getString("text"));
    assertEquals(new JsonArray().add(citation), content.getJsonObject(1).getJsonArray("citations"));
    assertEquals(new JsonObject().put("type", "tool_use").put("id", "toolu_1").put("name", "lookup")
        .put("input", new JsonObject().put("query", "sky").put("n", 3)), content.getJsonObject(2));
    assertEquals("The sky is blue.", MessageText.answerText(message));
  }

  @Test
  void anthropicToolInputCutShortKeepsWhatArrived() {
    JsonObject message = StreamReassembly.anthropic(List.of(
        event("content_block_start", block(0, new JsonObject().put("type", "tool_use").put("id", "t")
            .put("name", "f").put("input", new JsonObject()))),
        event("content_block_delta", delta(0, new JsonObject().put("type", "input_json_delta")
            .put("partial_json", "{\"a\": [1, 2")))));
    JsonObject block = message.getJsonArray("content").getJsonObject(0);
    assertEquals("{\"a\": [1, 2", block.getString("partial_json"));
    assertEquals(new JsonObject(), block.getJsonObject("input"));
  }

  private static CaptureTap.Event blockDelta(int index, String type, String field, Object value) {
    return event("content_block_delta", delta(index, new JsonObject().put("type", type).put(field, value)));
  }

  private static JsonObject block(int index, JsonObject block) {
    return new JsonObject().put("type", "content_block_start").put("index", index).put("content_block", block);
  }

  private static JsonObject delta(int index, JsonObject delta) {
    return new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta);
  }
}
