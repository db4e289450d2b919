package dev.llmproxy.recovery;

import io.vertx.core.json.JsonObject;
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
  void observe(JsonObject event) {
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
        if (index(event) == openBlock) {
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
    int index = index(event);
    JsonObject block = event.getValue("content_block") instanceof JsonObject b ? b : new JsonObject();
    String blockType = text(block, "type", "");
    blockTypes.put(index, blockType);
    openBlock = index;
    highestIndex = Math.max(highestIndex, index);
    if (blockType.equals("text")) {
      appendText(block.getValue("text") instanceof String text ? text : null);
    } else if (isReasoning(blockType)) {
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
