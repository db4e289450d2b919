package dev.llmproxy.recovery;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One continuation leg of an Anthropic Messages stream, rewritten into the stream the client is reading. The
 * client must see one {@code message_start}, content blocks numbered 0, 1, 2... in the order they start, one
 * {@code message_delta} and one {@code message_stop} (the official SDKs reject a second {@code message_start} and
 * place deltas by index). So: the leg's {@code message_start} is dropped (its usage is kept for the totals); its
 * first text block continues the text block the cut left open (its start is dropped, its deltas take that
 * block's index), or, when no text block was open, becomes the next block; every later block takes the next
 * index; its thinking blocks are dropped (the client saw the reasoning already, and a thinking block cannot be
 * spliced); its text is joined at the cut ({@link TextSplice}); its {@code message_delta} reports the usage
 * summed over the legs.
 */
final class AnthropicContinuation implements LegRewriter {

  private final AnthropicTranscript transcript;
  private final TextSplice splice;
  private final Map<Integer, Integer> indexOf = new HashMap<>();
  private final Set<Integer> dropped = new HashSet<>();
  private int nextIndex;
  private int openText;

  AnthropicContinuation(AnthropicTranscript transcript, TextSplice splice) {
    this.transcript = transcript;
    this.splice = splice;
    this.nextIndex = transcript.nextIndex();
    this.openText = transcript.openTextBlock();
  }

  @Override
  public List<SseEvent> rewrite(SseEvent event) {
    if (splice.mismatch() != null) {
      return List.of();
    }
    JsonObject json = event.data() == null ? null : Transcript.decode(event.data());
    if (json == null) {
      return List.of(event);
    }
    String type = Transcript.text(json, "type", event.name() == null ? "" : event.name());
    List<SseEvent> out = switch (type) {
      case "message_start" -> {
        if (json.getValue("message") instanceof JsonObject message) {
          transcript.usage().reported(Transcript.object(message, "usage"));
        }
        yield List.of();
      }
      case "content_block_start" -> blockStart(json, type);
      case "content_block_delta" -> blockDelta(json, type);
      case "content_block_stop" -> renumbered(json, type);
      case "message_delta" -> {
        splice.legFinished();
        JsonObject own = json.getValue("usage") instanceof JsonObject u ? u : new JsonObject();
        transcript.usage().reported(own);
        json.put("usage", transcript.usage().totals(own));
        yield List.of(SseEvent.of(type, json.encode()));
      }
      default -> List.of(event);  // ping, message_stop, error
    };
    return splice.mismatch() != null ? List.of() : out;
  }

  private List<SseEvent> blockStart(JsonObject json, String type) {
    int index = AnthropicTranscript.index(json);
    JsonObject block = json.getValue("content_block") instanceof JsonObject b ? b : new JsonObject();
    String blockType = Transcript.text(block, "type", "");
    if (AnthropicTranscript.isReasoning(blockType)) {
      dropped.add(index);
      return List.of();
    }
    if (!blockType.equals("text")) {
      splice.legFinished();  // a restart that turns to a tool before repeating the delivered text differs
    }
    String initial = blockType.equals("text") && block.getValue("text") instanceof String t ? splice.join(t) : "";
    if (blockType.equals("text") && openText >= 0) {
      // The first text block goes on in the block the cut left open: no second start for it.
      indexOf.put(index, openText);
      openText = -1;
      return initial.isEmpty() ? List.of() : List.of(textDelta(indexOf.get(index), initial));
    }
    indexOf.put(index, nextIndex++);
    if (blockType.equals("text")) {
      block.put("text", initial);
    }
    return renumbered(json, type);
  }

  private List<SseEvent> blockDelta(JsonObject json, String type) {
    int index = AnthropicTranscript.index(json);
    if (dropped.contains(index)) {
      return List.of();
    }
    if (json.getValue("delta") instanceof JsonObject delta && "text_delta".equals(delta.getValue("type"))) {
      String joined = splice.join(delta.getValue("text") instanceof String t ? t : "");
      if (joined.isEmpty()) {
        return List.of();
      }
      delta.put("text", joined);
    }
    return renumbered(json, type);
  }

  private List<SseEvent> renumbered(JsonObject json, String type) {
    int index = AnthropicTranscript.index(json);
    if (dropped.contains(index)) {
      return List.of();
    }
    Integer mapped = indexOf.get(index);
    json.put("index", mapped == null ? index : mapped);
    return List.of(SseEvent.of(type, json.encode()));
  }

  private static SseEvent textDelta(int index, String text) {
    JsonObject delta = new JsonObject().put("type", "content_block_delta").put("index", index)
        .put("delta", new JsonObject().put("type", "text_delta").put("text", text));
    return SseEvent.of("content_block_delta", delta.encode());
  }

  @Override
  public String failure() {
    return splice.mismatch();
  }
}
