package dev.llmproxy.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The transcripts read every event by a scan of its data exactly as they read the decoded object: the same text,
 * finish, blocker, content, reasoning in flight, identity, open blocks and usage after every event, for recorded
 * provider streams, real shapes of each provider, and odd events (missing fields, wrong types, null, empty arrays,
 * several choices, objects where a string is expected, names given twice, unicode escapes, comments, malformed
 * JSON, {@code [DONE]}). The decoded reading is kept here only, as the oracle ({@link DecodedOpenAi},
 * {@link DecodedAnthropic}: the transcripts' code as it was when every event was decoded).
 */
class TranscriptScanTest {

  /** Events no file holds: raw control characters around and inside the data. */
  private static final List<SseEvent> BUILT = List.of(
      new SseEvent(Buffer.buffer(), null, "\u0001{\"choices\":[{\"delta\":{\"content\":\"control before\"}}]}\u001f"),
      new SseEvent(Buffer.buffer(), null, "{\"choices\":[{\"delta\":{\"content\":\"raw \u0001 control\"}}]}"),
      new SseEvent(Buffer.buffer(), null, "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\","
          + "\"text\":\"raw \u0002 control\"}}"),
      new SseEvent(Buffer.buffer(), null, "\u2003{\"choices\":[{\"delta\":{\"content\":\"em space before\"}}]}"),
      new SseEvent(Buffer.buffer(), null, null));

  /** A stream opened the usual way before each odd event, so that the event meets a transcript with state. */
  private static final List<String> ANTHROPIC_OPENING = List.of(
      "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}",
      "{\"type\":\"content_block_start\",\"index\":14,\"content_block\":{\"type\":\"text\",\"text\":\"Hi\"}}");
  private static final List<String> OPENAI_OPENING = List.of(
      "{\"id\":\"chatcmpl-1\",\"model\":\"m\",\"created\":1,\"choices\":[{\"index\":0,"
          + "\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"}}],\"usage\":null}",
      "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}");

  @Test
  void theOpenAiTranscriptReadsEveryEventAsTheDecodedReadingDid() throws Exception {
    agreeOnEveryStream(OpenAiTranscript::new, DecodedOpenAi::new, OPENAI_OPENING);
  }

  @Test
  void theAnthropicTranscriptReadsEveryEventAsTheDecodedReadingDid() throws Exception {
    agreeOnEveryStream(AnthropicTranscript::new, DecodedAnthropic::new, ANTHROPIC_OPENING);
  }

  @Test
  void aContainerIdIsReadFromTheDecodedEventAsBefore() {
    OpenAiTranscript transcript = new OpenAiTranscript();
    transcript.observe(event("{\"id\":{\"b\":1,\"a\":[1,2.5],\"b\":null},\"created\":[1,{\"x\":null}]}"));
    assertEquals("{\"b\":null,\"a\":[1,2.5]}", transcript.id());
    assertEquals(new JsonArray().add(1).add(new JsonObject().putNull("x")), transcript.created());
  }

  private static void agreeOnEveryStream(Supplier<Transcript> scanning, Supplier<Transcript> decoding,
      List<String> opening) throws IOException {
    Map<String, List<SseEvent>> streams = corpus();
    List<SseEvent> odd = streams.get("events/odd-events.txt");
    for (int i = 0; i < odd.size(); i++) {
      streams.put("odd event " + i + " alone", List.of(odd.get(i)));
      List<SseEvent> afterOpening = new ArrayList<>(opening.stream().map(TranscriptScanTest::event).toList());
      afterOpening.add(odd.get(i));
      streams.put("odd event " + i + " after an opening", afterOpening);
    }
    for (Map.Entry<String, List<SseEvent>> stream : streams.entrySet()) {
      Transcript byScan = scanning.get();
      Transcript byDecode = decoding.get();
      for (SseEvent event : stream.getValue()) {
        byScan.observe(copy(event));
        byDecode.observe(copy(event));
        assertEquals(state(byDecode), state(byScan), stream.getKey() + ", after " + event.data());
      }
    }
    assertTrue(odd.size() > 150, "odd events read: " + odd.size());
  }

  /** Every recorded stream (the fixtures), the odd events as one stream, and the events built here. */
  private static Map<String, List<SseEvent>> corpus() throws IOException {
    Map<String, List<SseEvent>> streams = new LinkedHashMap<>();
    Path resources = Path.of("src/test/resources");
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".sse")).sorted().toList()) {
        streams.put(resources.relativize(file).toString(), SseEvent.parseAll(Buffer.buffer(Files.readString(file))));
      }
    }
    assertTrue(streams.size() >= 12, "recorded streams: " + streams.keySet());
    streams.put("events/odd-events.txt",
        SseEvent.parseAll(Buffer.buffer(Files.readString(resources.resolve("events/odd-events.txt")))));
    streams.put("built", BUILT);
    return streams;
  }

  /** What a transcript says, all of it, comparable. */
  private static List<Object> state(Transcript t) {
    List<Object> state = new ArrayList<>(List.of(t.text(), t.chars(), t.finished(), t.hasContent(),
        String.valueOf(t.blocker()), t.reasoningInFlight(), t.usage().totals(null).encode(), t.usage().partial()));
    if (t instanceof OpenAiTranscript o) {
      state.addAll(identity(o.id(), o.model(), o.created(), o.choiceIndex(), o.roleSent()));
    } else if (t instanceof DecodedOpenAi o) {
      state.addAll(identity(o.id, o.model, o.created, o.choiceIndex, o.roleSent));
    } else if (t instanceof AnthropicTranscript a) {
      state.addAll(List.of(a.openTextBlock(), a.nextIndex()));
    } else if (t instanceof DecodedAnthropic a) {
      state.addAll(List.of(a.openTextBlock(), a.nextIndex()));
    }
    return state;
  }

  private static List<Object> identity(String id, String model, Object created, int index, boolean roleSent) {
    String typedCreated = created == null ? "null" : created.getClass().getSimpleName() + ":" + created;
    return List.of(String.valueOf(id), String.valueOf(model), typedCreated, index, roleSent);
  }

  private static SseEvent copy(SseEvent event) {
    return new SseEvent(event.raw(), event.name(), event.data());
  }

  private static SseEvent event(String data) {
    return new SseEvent(Buffer.buffer(), null, data);
  }

  /** The OpenAI transcript's reading of the decoded chunk, as it was. */
  static final class DecodedOpenAi extends Transcript {
    private String id;
    private String model;
    private Object created;
    private int choiceIndex;
    private boolean identified;
    private boolean roleSent;
    private boolean reasoningLast;

    @Override
    void observe(SseEvent event, JsonParser notRead) {
      JsonObject json = event.json();
      if (json != null) {
        observe(json);
      }
    }

    private void observe(JsonObject chunk) {
      if (!identified && chunk.getValue("id") != null) {
        identified = true;
        id = String.valueOf(chunk.getValue("id"));
        model = chunk.getValue("model") instanceof String m ? m : null;
        created = chunk.getValue("created");
      }
      if (chunk.getValue("usage") instanceof JsonObject usage) {
        usage().reported(usage);
      }
      if (!(chunk.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
          || !(choices.getValue(0) instanceof JsonObject choice)) {
        return;
      }
      if (choice.getValue("index") instanceof Number n) {
        choiceIndex = n.intValue();
      }
      if (choice.getValue("delta") instanceof JsonObject delta) {
        observeDelta(delta);
      }
      if (choice.getValue("finish_reason") != null) {
        finish();
      }
    }

    private void observeDelta(JsonObject delta) {
      if (delta.getValue("role") != null) {
        roleSent = true;
      }
      if (OpenAiTranscript.present(delta.getValue("tool_calls"))
          || OpenAiTranscript.present(delta.getValue("function_call"))) {
        block(TOOL_CALL);
      }
      if (OpenAiTranscript.present(delta.getValue("refusal"))) {
        block("a refusal was being streamed, which is not continued");
      }
      if (OpenAiTranscript.present(delta.getValue("reasoning_content"))
          || OpenAiTranscript.present(delta.getValue("reasoning"))) {
        sawContent();
        reasoningLast = true;
      }
      if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
        appendText(text);
        reasoningLast = false;
      }
    }

    @Override
    boolean reasoningInFlight() {
      return reasoningLast;
    }
  }

  /** The Anthropic transcript's reading of the decoded event, as it was. */
  static final class DecodedAnthropic extends Transcript {
    private final Map<Integer, String> blockTypes = new HashMap<>();
    private int openBlock = -1;
    private int highestIndex = -1;

    @Override
    void observe(SseEvent event, JsonParser notRead) {
      JsonObject json = event.json();
      if (json != null) {
        observe(json);
      }
    }

    private void observe(JsonObject event) {
      String type = text(event, "type", "");
      switch (type) {
        case "message_start" -> {
          if (event.getValue("message") instanceof JsonObject message
              && message.getValue("usage") instanceof JsonObject usage) {
            usage().reported(usage);
          }
        }
        case "content_block_start" -> started(event);
        case "content_block_delta" -> delta(event);
        case "content_block_stop" -> {
          if (AnthropicTranscript.index(event) == openBlock) {
            openBlock = -1;
          }
        }
        case "message_delta" -> {
          if (event.getValue("usage") instanceof JsonObject usage) {
            usage().reported(usage);
          }
          finish();
        }
        default -> { }
      }
    }

    private void started(JsonObject event) {
      int index = AnthropicTranscript.index(event);
      JsonObject block = event.getValue("content_block") instanceof JsonObject b ? b : new JsonObject();
      String blockType = text(block, "type", "");
      blockTypes.put(index, blockType);
      openBlock = index;
      highestIndex = Math.max(highestIndex, index);
      if (blockType.equals("text")) {
        appendText(block.getValue("text") instanceof String text ? text : null);
      } else if (AnthropicTranscript.isReasoning(blockType)) {
        sawContent();
      } else {
        block(TOOL_CALL);
      }
    }

    private void delta(JsonObject event) {
      JsonObject delta = event.getValue("delta") instanceof JsonObject d ? d : new JsonObject();
      switch (text(delta, "type", "")) {
        case "text_delta" -> appendText(delta.getValue("text") instanceof String text ? text : null);
        case "thinking_delta", "signature_delta" -> sawContent();
        case "input_json_delta" -> block(TOOL_CALL);
        default -> sawContent();
      }
    }

    @Override
    boolean reasoningInFlight() {
      return openBlock >= 0 && AnthropicTranscript.isReasoning(blockTypes.get(openBlock));
    }

    int openTextBlock() {
      return openBlock >= 0 && "text".equals(blockTypes.get(openBlock)) ? openBlock : -1;
    }

    int nextIndex() {
      return highestIndex + 1;
    }
  }
}
