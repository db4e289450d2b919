package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * An Anthropic Messages stream as the client received it: the content blocks by index (their type, which one is
 * open), the text of the text blocks, and the usage of {@code message_start} and {@code message_delta}. A
 * continuation goes on in the open text block, or in new blocks after the highest index delivered.
 */
final class AnthropicTranscript extends Transcript {

  private final Map<Integer, String> blockTypes = new HashMap<>();
  private int openBlock = -1;
  private int highestIndex = -1;

  @Override
  void observe(SseEvent event, JsonParser object) throws IOException {
    AnthropicEvent scanned = AnthropicEvent.scan(object);
    if (SseEvent.endsThere(object)) {
      observe(scanned);
    }
  }

  private void observe(AnthropicEvent event) {
    switch (event.type) {
      case "message_start" -> usage().reported(event.messageUsage);
      case "content_block_start" -> started(event);
      case "content_block_delta" -> delta(event);
      case "content_block_stop" -> {
        if (event.index == openBlock) {
          openBlock = -1;
        }
      }
      case "message_delta" -> {
        usage().reported(event.usage);
        finish();
      }
      default -> { }
    }
  }

  private void started(AnthropicEvent event) {
    int index = event.index;
    String blockType = event.block.type();
    blockTypes.put(index, blockType);
    openBlock = index;
    highestIndex = Math.max(highestIndex, index);
    if (blockType.equals("text")) {
      appendText(event.block.text());
    } else if (isReasoning(blockType)) {
      sawContent();
    } else {
      block(TOOL_CALL);
    }
  }

  private void delta(AnthropicEvent event) {
    switch (event.delta.type()) {
      case "text_delta" -> appendText(event.delta.text());
      case "thinking_delta", "signature_delta" -> sawContent();
      case "input_json_delta" -> block(TOOL_CALL);
      default -> sawContent();
    }
  }

  /** A thinking block was open: its signature never came, so it can be neither closed nor continued. */
  @Override
  boolean reasoningInFlight() {
    return openBlock >= 0 && isReasoning(blockTypes.get(openBlock));
  }

  /** The index of the text block the cut left open, or -1 (no block open, or not a text block). */
  int openTextBlock() {
    return openBlock >= 0 && "text".equals(blockTypes.get(openBlock)) ? openBlock : -1;
  }

  /** The index the next new block of the stream takes. */
  int nextIndex() {
    return highestIndex + 1;
  }

  static boolean isReasoning(String blockType) {
    return "thinking".equals(blockType) || "redacted_thinking".equals(blockType);
  }

  static int index(JsonObject event) {
    return event.getValue("index") instanceof Number n ? n.intValue() : -1;
  }
}
