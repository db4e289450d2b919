package dev.llmproxy.demotion;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.translation.Fixtures;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Demotion reassembles a provider's stream into the exact body its non-stream endpoint returns. */
class StreamAssemblerTest {

  private static StreamAssembler feed(Protocol protocol, List<SseEvent> events) {
    StreamAssembler assembler = StreamAssembler.of(protocol);
    events.forEach(e -> assembler.onEvent(e.name(), e.data()));
    return assembler;
  }

  @Test
  void anthropicToolStreamBecomesTheMessageWithJoinedInput() {
    StreamAssembler a = feed(Protocol.ANTHROPIC, Fixtures.events("stream/anthropic-tools.sse"));
    assertTrue(a.complete());
    assertJsonEquals(new JsonObject("""
        {"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-1-20250805",
         "stop_sequence":null,"stop_reason":"tool_use",
         "usage":{"input_tokens":472,"output_tokens":89,"cache_read_input_tokens":100,"cache_creation_input_tokens":0},
         "content":[
           {"type":"text","text":"Okay, let's check the weather"},
           {"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather",
            "input":{"location":"San Francisco, CA","unit":"fahrenheit"}},
           {"type":"tool_use","id":"toolu_02","name":"get_time","input":{"timezone":"America/Los_Angeles"}}]}
        """), a.result());
  }

  @Test
  void anthropicThinkingKeepsItsSignature() {
    JsonObject message = feed(Protocol.ANTHROPIC, Fixtures.events("stream/anthropic-thinking.sse")).result();
    JsonObject thinking = message.getJsonArray("content").getJsonObject(0);
    assertEquals("thinking", thinking.getString("type"));
    assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.getString("signature"));
    assertTrue(thinking.getString("thinking").startsWith("I need to find the GCD"));
    assertTrue(thinking.getString("thinking").endsWith("So GCD(1071, 462) = 21"));
    assertEquals("The greatest common divisor (GCD) of 1071 and 462 is **21**.",
        message.getJsonArray("content").getJsonObject(1).getString("text"));
    assertEquals(210, message.getJsonObject("usage").getInteger("output_tokens"));
    assertEquals(40, message.getJsonObject("usage").getInteger("input_tokens"));
  }

  @Test
  void citationsAndUnknownFieldsSurviveWithExactNumbers() {
    JsonObject message = feed(Protocol.ANTHROPIC, Fixtures.events("stream/anthropic-citations.sse")).result();
    String encoded = message.encode();
    assertTrue(encoded.contains("\"quota\":123456789012345678901234567890"), encoded);
    assertTrue(encoded.contains("\"ratio\":0.10000000000000000555111512312578"), encoded);
    JsonObject text = message.getJsonArray("content").getJsonObject(0);
    assertEquals("Quoted fact.", text.getString("text"));
    assertEquals("https://example.com", text.getJsonArray("citations").getJsonObject(0).getString("url"));
    assertJsonEquals(new JsonObject(
        "{\"input_tokens\":3,\"output_tokens\":7,\"server_tool_use\":{\"web_search_requests\":1}}"),
        message.getJsonObject("usage"));
  }

  @Test
  void openAiToolStreamBecomesTheCompletionWithJoinedArguments() {
    StreamAssembler a = feed(Protocol.OPENAI, Fixtures.events("stream/openai-tools.sse"));
    assertTrue(a.complete());
    assertJsonEquals(new JsonObject("""
        {"id":"chatcmpl-tools","object":"chat.completion","created":1,"model":"gpt-4o",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
           {"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function",
            "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}},
           {"id":"call_2","type":"function",
            "function":{"name":"get_weather","arguments":"{\\"location\\":\\"Bogotá, Colombia\\"}"}}]},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,
                  "prompt_tokens_details":{"cached_tokens":64}}}
        """), a.result());
  }

  @Test
  void openAiTextAndReasoningAreJoined() {
    JsonObject completion = feed(Protocol.OPENAI, Fixtures.events("stream/openai-reasoning.sse")).result();
    JsonObject message = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    assertEquals("9.8 is greater.", message.getString("content"));
    assertEquals("9.11 vs 9.8: compare decimals.", message.getString("reasoning_content"));
    assertEquals(45, completion.getJsonObject("usage").getInteger("total_tokens"));
    JsonObject text = feed(Protocol.OPENAI, Fixtures.events("stream/openai-text.sse")).result();
    assertEquals("fp_44709d6fcb", text.getString("system_fingerprint"));
    assertEquals("Hello there!", text.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content"));
  }

  @Test
  void anInBandErrorIsReportedNotAssembled() {
    StreamAssembler anthropic = feed(Protocol.ANTHROPIC, Fixtures.events("stream/anthropic-error.sse"));
    assertFalse(anthropic.complete());
    assertNotNull(anthropic.error());
    assertEquals("overloaded_error", anthropic.error().getJsonObject("error").getString("type"));
    StreamAssembler openAi = feed(Protocol.OPENAI, Fixtures.events("stream/openai-error.sse"));
    assertFalse(openAi.complete());
    assertEquals("server_error", openAi.error().getJsonObject("error").getString("type"));
  }

  @Test
  void aCutStreamIsNotComplete() {
    List<SseEvent> events = Fixtures.events("stream/anthropic-text.sse");
    assertFalse(feed(Protocol.ANTHROPIC, events.subList(0, 4)).complete());
    List<SseEvent> chunks = Fixtures.events("stream/openai-text.sse");
    assertFalse(feed(Protocol.OPENAI, chunks.subList(0, 3)).complete());
  }

  @Test
  void theDemotedRequestAsksForAStreamAndForUsage() {
    JsonObject body = new JsonObject().put("model", "m").put("stream", false);
    JsonObject openAi = Demotion.streamingRequest(Protocol.OPENAI, body);
    assertEquals(true, openAi.getBoolean("stream"));
    assertEquals(true, openAi.getJsonObject("stream_options").getBoolean("include_usage"));
    JsonObject anthropic = Demotion.streamingRequest(Protocol.ANTHROPIC, body);
    assertEquals(true, anthropic.getBoolean("stream"));
    assertFalse(anthropic.containsKey("stream_options"), "Anthropic rejects fields it does not know");
    assertEquals(false, body.getBoolean("stream"), "the client's body is untouched");
  }
}
