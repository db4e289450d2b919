package dev.llmproxy.translation;

import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI chat.completion chunks in, Anthropic message events out. The first chunk opens the message
 * ({@code message_start}); reasoning, text and each tool call open a content block of their kind (the open one is
 * stopped first, as Anthropic streams one block at a time); argument fragments become {@code input_json_delta}s of
 * their call's block as they arrive. The {@code finish_reason} is held until the usage arrives (same chunk, next
 * chunk, or {@code [DONE]}), then {@code message_delta} and {@code message_stop} close the message.
 */
final class OpenAiToAnthropicStream implements StreamTranslator {

  private enum Block { NONE, TEXT, THINKING, TOOL }

  private final String fallbackModel;
  private boolean started;
  private int nextBlock;
  private int openBlock = -1;
  private Block openKind = Block.NONE;
  /** OpenAI tool call index → Anthropic block index. */
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  private String stopReason;
  private JsonObject usage;
  private boolean ended;
  private boolean complete;

  OpenAiToAnthropicStream(String fallbackModel) {
    this.fallbackModel = fallbackModel;
  }

  @Override
  public void onEvent(String event, String data, Buffer out) {
    if (ended || data == null) {
      return;
    }
    String trimmed = data.strip();
    if (trimmed.equals("[DONE]")) {
      close(out);
      return;
    }
    JsonObject chunk = ExactJson.objectOrNull(trimmed);
    if (chunk == null) {
      return;
    }
    if (chunk.getValue("error") instanceof JsonObject) {
      ErrorTranslation.streamEvent(Protocol.OPENAI, Protocol.ANTHROPIC, chunk, out);
      ended = true;
      return;
    }
    start(chunk, out);
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice) {
      if (choice.getValue("delta") instanceof JsonObject delta) {
        delta(delta, out);
      }
      if (choice.getValue("finish_reason") instanceof String finish) {
        stopReason = StopReasons.toAnthropic(finish);
      }
    }
    if (stopReason != null && usage != null) {
      close(out);
    }
  }

  @Override
  public void onEnd(Buffer out) {
    if (ended) {
      return;
    }
    if (stopReason != null) {
      close(out); // [DONE] lost, answer finished
    } else {
      fail("the upstream stream ended before the answer was complete", out);
    }
  }

  @Override
  public void onFailure(String message, Buffer out) {
    if (!ended) {
      fail(message, out);
    }
  }

  @Override
  public boolean ended() {
    return ended;
  }

  @Override
  public boolean complete() {
    return complete;
  }

  private void start(JsonObject chunk, Buffer out) {
    if (started) {
      return;
    }
    started = true;
    JsonObject message = new JsonObject()
        .put("id", chunk.getValue("id") instanceof String id ? id : "msg_proxy")
        .put("type", "message")
        .put("role", "assistant")
        .put("model", chunk.getValue("model") instanceof String m && !m.isEmpty() ? m : fallbackModel)
        .put("content", new JsonArray())
        .put("stop_reason", null)
        .put("stop_sequence", null)
        // OpenAI reports usage only at the end; message_delta carries the real counts.
        .put("usage", new JsonObject().put("input_tokens", 0).put("output_tokens", 0));
    Sse.named(out, "message_start", new JsonObject().put("type", "message_start").put("message", message));
  }

  private void delta(JsonObject delta, Buffer out) {
    String reasoning = delta.getValue("reasoning_content") instanceof String r ? r
        : delta.getValue("reasoning") instanceof String r2 ? r2 : null;
    if (reasoning != null && !reasoning.isEmpty()) {
      open(Block.THINKING, new JsonObject().put("type", "thinking").put("thinking", "").put("signature", ""), out);
      blockDelta(openBlock, new JsonObject().put("type", "thinking_delta").put("thinking", reasoning), out);
    }
    String text = delta.getValue("content") instanceof String c ? c
        : delta.getValue("refusal") instanceof String r ? r : null;
    if (text != null && !text.isEmpty()) {
      open(Block.TEXT, new JsonObject().put("type", "text").put("text", ""), out);
      blockDelta(openBlock, new JsonObject().put("type", "text_delta").put("text", text), out);
    }
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call) {
          toolCall(call, i, out);
        }
      }
    }
  }

  private void toolCall(JsonObject call, int position, Buffer out) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    Integer block = toolBlocks.get(index);
    if (block == null) {
      JsonObject start = new JsonObject().put("type", "tool_use")
          .put("id", ToolIds.forAnthropic(call.getString("id"), "call_" + index))
          .put("name", function.getValue("name") instanceof String name ? name : "")
          .put("input", new JsonObject());
      openNew(Block.TOOL, start, out);
      block = openBlock;
      toolBlocks.put(index, block);
    }
    if (function.getValue("arguments") instanceof String arguments && !arguments.isEmpty()) {
      // A fragment of an earlier call (servers that interleave parallel calls) still goes to that call's block:
      // the SDKs accumulate by block index.
      blockDelta(block, new JsonObject().put("type", "input_json_delta").put("partial_json", arguments), out);
    }
  }

  /** Continues the open block if it has this kind (text and thinking), else stops it and starts a new one. */
  private void open(Block kind, JsonObject contentBlock, Buffer out) {
    if (openKind != kind) {
      openNew(kind, contentBlock, out);
    }
  }

  private void openNew(Block kind, JsonObject contentBlock, Buffer out) {
    stopOpenBlock(out);
    openBlock = nextBlock++;
    openKind = kind;
    Sse.named(out, "content_block_start", new JsonObject().put("type", "content_block_start")
        .put("index", openBlock).put("content_block", contentBlock));
  }

  private void stopOpenBlock(Buffer out) {
    if (openKind != Block.NONE) {
      Sse.named(out, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", openBlock));
      openKind = Block.NONE;
    }
  }

  private static void blockDelta(int index, JsonObject delta, Buffer out) {
    Sse.named(out, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
        .put("delta", delta));
  }

  private void close(Buffer out) {
    if (ended) {
      return;
    }
    start(new JsonObject(), out);
    stopOpenBlock(out);
    JsonObject counts = Usages.toAnthropic(usage);
    Sse.named(out, "message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason == null ? "end_turn" : stopReason)
            .put("stop_sequence", null))
        .put("usage", counts));
    Sse.named(out, "message_stop", new JsonObject().put("type", "message_stop"));
    ended = true;
    complete = true;
  }

  private void fail(String message, Buffer out) {
    out.appendBuffer(ErrorBodies.sseEvent(Protocol.ANTHROPIC, ErrorKind.UPSTREAM_FAILED, message));
    ended = true;
  }
}
