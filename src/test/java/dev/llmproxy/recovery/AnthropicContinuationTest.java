package dev.llmproxy.recovery;

import static dev.llmproxy.recovery.OpenAiContinuationTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Anthropic event rewriting of docs/routing.md's worked example: the first leg (a thinking block, then a text
 * block cut at "The answer is ") and a continuation whose events become one Messages stream with the first.
 */
class AnthropicContinuationTest {

  static String ev(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  static final List<String> FIRST_LEG = List.of(
      ev("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_A\",\"model\":\"claude-a\","
          + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}"),
      ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
          + "{\"type\":\"thinking\",\"thinking\":\"\"}}"),
      ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
          + "{\"type\":\"thinking_delta\",\"thinking\":\"Easy.\"}}"),
      ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
      ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
          + "{\"type\":\"text\",\"text\":\"\"}}"),
      ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
          + "{\"type\":\"text_delta\",\"text\":\"The answer\"}}"),
      ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
          + "{\"type\":\"text_delta\",\"text\":\" is \"}}"));

  private static AnthropicTranscript delivered(List<String> events) {
    AnthropicTranscript transcript = new AnthropicTranscript();
    events.forEach(e -> transcript.observe(event(e)));
    return transcript;
  }

  private static List<JsonObject> rewrite(LegRewriter rewriter, String... events) {
    List<JsonObject> out = new ArrayList<>();
    for (String e : events) {
      rewriter.rewrite(event(e)).forEach(r -> {
        assertEquals(r.name(), new JsonObject(r.data()).getString("type"), "event name and type agree");
        out.add(new JsonObject(r.data()));
      });
    }
    return out;
  }

  @Test
  void theContinuationGoesOnInTheCutBlockAndNumbersItsOtherBlocksAfterIt() {
    AnthropicTranscript transcript = delivered(FIRST_LEG);
    assertEquals("The answer is ", transcript.text());
    assertEquals(1, transcript.openTextBlock());
    transcript.usage().legBroke();
    LegRewriter rewriter = new AnthropicContinuation(transcript, TextSplice.afterPrefill(" "));

    List<JsonObject> out = rewrite(rewriter,
        ev("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_B\",\"model\":\"claude-b\","
            + "\"usage\":{\"input_tokens\":30,\"output_tokens\":1}}}"),
        ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
            + "{\"type\":\"text\",\"text\":\"\"}}"),
        ev("ping", "{\"type\":\"ping\"}"),
        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\" 42.\"}}"),
        ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"log\",\"input\":{}}}"),
        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}"),
        ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"),
        ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
            + "\"usage\":{\"output_tokens\":9}}"),
        ev("message_stop", "{\"type\":\"message_stop\"}"));

    assertEquals(List.of(
        new JsonObject("{\"type\":\"ping\"}"),
        new JsonObject("{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\","
            + "\"text\":\"42.\"}}"),
        new JsonObject("{\"type\":\"content_block_stop\",\"index\":1}"),
        new JsonObject("{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\","
            + "\"id\":\"toolu_1\",\"name\":\"log\",\"input\":{}}}"),
        new JsonObject("{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
            + "\"partial_json\":\"{}\"}}"),
        new JsonObject("{\"type\":\"content_block_stop\",\"index\":2}"),
        new JsonObject("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":"
            + "{\"output_tokens\":10,\"input_tokens\":55,\"llm_proxy_partial\":true}}"),
        new JsonObject("{\"type\":\"message_stop\"}")), out);
    assertNull(rewriter.failure());
  }

  @Test
  void thinkingOfTheContinuationIsDroppedWithoutTakingAnIndex() {
    AnthropicTranscript transcript = delivered(FIRST_LEG);
    LegRewriter rewriter = new AnthropicContinuation(transcript, TextSplice.afterPrefill(" "));
    List<JsonObject> out = rewrite(rewriter,
        ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
            + "{\"type\":\"thinking\",\"thinking\":\"\"}}"),
        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"thinking_delta\",\"thinking\":\"Again.\"}}"),
        ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
        ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
            + "{\"type\":\"text\",\"text\":\"\"}}"),
        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\" 42\"}}"));
    assertEquals(List.of(new JsonObject("{\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
        + "{\"type\":\"text_delta\",\"text\":\"42\"}}")), out);
  }

  @Test
  void whenTheCutFellBetweenBlocksTheContinuationsTextIsANewBlock() {
    List<String> closed = new ArrayList<>(FIRST_LEG);
    closed.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
    AnthropicTranscript transcript = delivered(closed);
    assertEquals(-1, transcript.openTextBlock());
    LegRewriter rewriter = new AnthropicContinuation(transcript, TextSplice.afterPrefill(" "));
    List<JsonObject> out = rewrite(rewriter,
        ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
            + "{\"type\":\"text\",\"text\":\"\"}}"),
        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\" More.\"}}"));
    assertEquals(2, out.get(0).getInteger("index"));
    assertEquals("content_block_start", out.get(0).getString("type"));
    assertEquals(new JsonObject("{\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
        + "{\"type\":\"text_delta\",\"text\":\"More.\"}}"), out.get(1));
  }

  @Test
  void theTranscriptTellsWhatCannotBeContinued() {
    assertTrue(delivered(FIRST_LEG.subList(0, 3)).reasoningInFlight(), "a thinking block open at the cut");
    List<String> tool = new ArrayList<>(FIRST_LEG);
    tool.add(ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}"));
    tool.add(ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
        + "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}"));
    assertEquals(Transcript.TOOL_CALL, delivered(tool).blocker());
    List<String> finished = new ArrayList<>(FIRST_LEG);
    finished.add(ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
        + "\"usage\":{\"output_tokens\":5}}"));
    assertTrue(delivered(finished).finished());
  }
}
