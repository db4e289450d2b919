package dev.llmproxy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.observability.UsageExtractor.Usage;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class UsageExtractorTest {

  private static SseEvent event(String text) {
    return SseEvent.parse(Buffer.buffer(text));
  }

  @Test
  void openAiNonStreamBody() {
    Usage u = UsageExtractor.fromBody(Buffer.buffer(
        "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}"));
    assertEquals(new Usage(12, 7), u);
  }

  @Test
  void openAiEmbeddingsHaveOnlyPromptTokens() {
    assertEquals(new Usage(5, -1),
        UsageExtractor.fromBody(Buffer.buffer("{\"data\":[],\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}")));
  }

  @Test
  void anthropicNonStreamBodyCountsCacheTokensAsPrompt() {
    Usage u = UsageExtractor.fromBody(Buffer.buffer("{\"type\":\"message\",\"usage\":{\"input_tokens\":10,"
        + "\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000,\"output_tokens\":42}}"));
    assertEquals(new Usage(1110, 42), u);
  }

  @Test
  void bodiesWithoutUsageGiveNone() {
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("{\"error\":{\"message\":\"overloaded\"}}")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("not json at all")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("[1,2]")).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer()).isEmpty());
    assertTrue(UsageExtractor.fromBody(Buffer.buffer("{\"usage\":{\"prompt_tokens\":\"many\"}}")).isEmpty());
  }

  @Test
  void openAiStreamFinalUsageChunk() {
    assertTrue(UsageExtractor.fromEvent(event(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n")).isEmpty());
    assertEquals(new Usage(9, 3), UsageExtractor.fromEvent(event(
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n")));
    assertTrue(UsageExtractor.fromEvent(event("data: [DONE]\n\n")).isEmpty());
  }

  @Test
  void anthropicStreamStartAndDelta() {
    assertEquals(new Usage(25, 1), UsageExtractor.fromEvent(event("event: message_start\ndata: "
        + "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n")));
    assertEquals(new Usage(-1, 15), UsageExtractor.fromEvent(event("event: message_delta\ndata: "
        + "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n")));
    assertTrue(UsageExtractor.fromEvent(event("event: ping\ndata: {\"type\":\"ping\"}\n\n")).isEmpty());
    assertTrue(UsageExtractor.fromEvent(event(": keep-alive comment\n\n")).isEmpty());
  }

  @Test
  void malformedEventsGiveNone() {
    assertTrue(UsageExtractor.fromEvent(event("data: {\"usage\": broken\n\n")).isEmpty());
  }
}
