package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamEventsTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "OPENAI|data: [DONE]|DONE",
      "OPENAI|data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}|META",
      "OPENAI|data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}|CONTENT",
      "OPENAI|data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}|CONTENT",
      "OPENAI|data: {\"choices\":[{\"text\":\"legacy\"}]}|CONTENT",
      "OPENAI|data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}|FINISH",
      "OPENAI|data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}|META",
      "OPENAI|data: {\"error\":{\"message\":\"overloaded\"}}|ERROR",
      "OPENAI|data: {\"choices\":[{\"delta\":|MALFORMED",
      "OPENAI|: keep-alive|META",
      "ANTHROPIC|event: message_start\\ndata: {\"type\":\"message_start\"}|META",
      "ANTHROPIC|event: ping\\ndata: {\"type\":\"ping\"}|META",
      "ANTHROPIC|event: content_block_delta\\ndata: {\"type\":\"content_block_delta\"}|CONTENT",
      "ANTHROPIC|event: message_delta\\ndata: {\"type\":\"message_delta\"}|FINISH",
      "ANTHROPIC|event: message_stop\\ndata: {\"type\":\"message_stop\"}|DONE",
      "ANTHROPIC|event: error\\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}|ERROR",
      "ANTHROPIC|event: content_block_delta\\ndata: nope|MALFORMED",
  })
  void classifies(Protocol protocol, String event, StreamEventKind expected) {
    SseEvent parsed = SseEvent.parse(Buffer.buffer(event.replace("\\n", "\n") + "\n\n"));
    assertEquals(expected, StreamEvents.classify(protocol, parsed));
  }
}
