package dev.llmproxy.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI event rewriting of docs/routing.md's worked example: the first leg ("The answer is ") is cut; the
 * continuation leg from another route, asked with the prefill "The answer is", is rewritten into the first leg's
 * stream.
 */
class OpenAiContinuationTest {

  static SseEvent event(String text) {
    return SseEvent.parse(Buffer.buffer(text));
  }

  static final List<String> FIRST_LEG = List.of(
      "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
          + "\"finish_reason\":null}]}\n\n",
      "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The answer\"},\"finish_reason\":null}]}\n\n",
      "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" is \"},\"finish_reason\":null}]}\n\n");

  private static OpenAiTranscript delivered(List<String> events) {
    OpenAiTranscript transcript = new OpenAiTranscript();
    events.forEach(e -> transcript.observe(event(e)));
    return transcript;
  }

  private static List<String> rewrite(LegRewriter rewriter, String... events) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      rewriter.rewrite(event(e)).forEach(r -> out.add(r.raw().toString()));
    }
    return out;
  }

  @Test
  void theContinuationBecomesPartOfTheFirstLegsStream() {
    OpenAiTranscript transcript = delivered(FIRST_LEG);
    assertEquals("The answer is ", transcript.text());
    transcript.usage().legBroke();
    LegRewriter rewriter = new OpenAiContinuation(transcript,
        TextSplice.afterPrefill(ContinuationBody.heldBack(transcript.text())));

    List<String> out = rewrite(rewriter,
        "data: {\"id\":\"chatcmpl-B\",\"object\":\"chat.completion.chunk\",\"created\":200,\"model\":\"gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-B\",\"object\":\"chat.completion.chunk\",\"created\":200,\"model\":\"gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 42\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-B\",\"object\":\"chat.completion.chunk\",\"created\":200,\"model\":\"gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"chatcmpl-B\",\"object\":\"chat.completion.chunk\",\"created\":200,\"model\":\"gpt-4o-mini\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":15,\"completion_tokens\":2,\"total_tokens\":17}}\n\n",
        "data: [DONE]\n\n");

    assertEquals(List.of(
        "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"42\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"chatcmpl-A\",\"object\":\"chat.completion.chunk\",\"created\":100,\"model\":\"gpt-4o\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":15,\"completion_tokens\":2,\"total_tokens\":17,"
            + "\"llm_proxy_partial\":true}}\n\n",
        "data: [DONE]\n\n"), out);
    assertNull(rewriter.failure());
  }

  @Test
  void reasoningOfTheContinuationIsDroppedAndAChunkLeftEmptyWithIt() {
    OpenAiTranscript transcript = delivered(FIRST_LEG);
    LegRewriter rewriter = new OpenAiContinuation(transcript, TextSplice.afterPrefill(" "));
    List<String> out = rewrite(rewriter,
        "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me see\"}}]}\n\n",
        "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"\","
            + "\"content\":\" 42\"}}]}\n\n");
    assertEquals(List.of("data: {\"id\":\"chatcmpl-A\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"42\"}}],"
        + "\"model\":\"gpt-4o\",\"created\":100}\n\n"), out);
  }

  @Test
  void aRestartIsSkippedUpToTheCutAndAToolCallBeforeItIsAMismatch() {
    OpenAiTranscript transcript = delivered(FIRST_LEG);
    LegRewriter restart = new OpenAiContinuation(transcript, TextSplice.restart(transcript.text()));
    List<String> out = rewrite(restart,
        "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The ans\"}}]}\n\n",
        "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"wer is 4\"}}]}\n\n",
        "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"2.\"}}]}\n\n");
    assertEquals(2, out.size());
    assertTrue(out.get(0).contains("\"content\":\"4\""), out.get(0));
    assertTrue(out.get(1).contains("\"content\":\"2.\""), out.get(1));

    LegRewriter toolFirst = new OpenAiContinuation(delivered(FIRST_LEG), TextSplice.restart("The answer is "));
    assertEquals(List.of(), rewrite(toolFirst, "data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\"}}]}}]}\n\n"));
    assertEquals("it repeated only 0 of the 14 delivered characters", toolFirst.failure());
  }

  @Test
  void theTranscriptTellsWhatCannotBeContinued() {
    OpenAiTranscript tool = delivered(List.of(
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me look\"}}]}\n\n",
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}\n\n"));
    assertEquals(Transcript.TOOL_CALL, tool.blocker());

    OpenAiTranscript thinking = delivered(List.of(
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Hmm\"}}]}\n\n"));
    assertTrue(thinking.reasoningInFlight());
    thinking.observe(event("data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"So\"}}]}\n\n"));
    assertEquals(false, thinking.reasoningInFlight(), "reasoning is over once the answer text started");

    OpenAiTranscript finished = delivered(List.of(
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Done\"},"
            + "\"finish_reason\":\"stop\"}]}\n\n"));
    assertTrue(finished.finished());
  }
}
