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
 * Anthropic message events in, OpenAI chat.completion chunks out:
 * {@code message_start} → a role chunk; text/thinking deltas → {@code content}/{@code reasoning_content}
 * deltas; a tool_use block start → a tool call with its id and name, each {@code input_json_delta} → an
 * {@code arguments} fragment of that call; {@code message_delta} → the finish chunk; {@code message_stop} → the
 * usage chunk (when the client asked for it) and {@code [DONE]}; {@code ping} → an SSE comment; {@code error} →
 * an OpenAI error chunk with no {@code [DONE]} after it.
 */
final class AnthropicToOpenAiStream implements StreamTranslator {

  private final boolean includeUsage;
  private final long created;
  private String id = "chatcmpl-proxy";
  private String model;
  private long inputTokens;
  private long cacheRead;
  private long cacheWrite;
  private long outputTokens;
  /** Anthropic block index → OpenAI tool call index (tool blocks only, numbered from 0). */
  private final Map<Integer, Integer> toolIndex = new HashMap<>();
  /** Anthropic block index → the thinking text so far, to send it whole with its signature. */
  private final Map<Integer, StringBuilder> thinking = new HashMap<>();
  /** The constant start of every chunk of this stream, up to the delta. */
  private String prefix;
  private boolean finishSent;
  private boolean ended;
  private boolean complete;

  AnthropicToOpenAiStream(String fallbackModel, long created, boolean includeUsage) {
    this.model = fallbackModel;
    this.created = created;
    this.includeUsage = includeUsage;
  }

  @Override
  public void onEvent(String event, String data, Buffer out) {
    if (ended || data == null) {
      return;
    }
    JsonObject json = ExactJson.objectOrNull(data);
    if (json == null) {
      return; // malformed: nothing a client could use
    }
    String type = json.getValue("type") instanceof String t ? t : event == null ? "" : event;
    switch (type) {
      case "message_start" -> messageStart(json, out);
      case "content_block_start" -> blockStart(json, out);
      case "content_block_delta" -> blockDelta(json, out);
      case "message_delta" -> messageDelta(json, out);
      case "message_stop" -> end(out);
      case "ping" -> Sse.comment(out, "ping");
      case "error" -> {
        ErrorTranslation.streamEvent(Protocol.ANTHROPIC, Protocol.OPENAI, json, out);
        ended = true;
      }
      default -> { } // content_block_stop and future event types carry nothing an OpenAI client reads
    }
  }

  @Override
  public void onEnd(Buffer out) {
    if (ended) {
      return;
    }
    if (finishSent) {
      end(out); // message_stop lost, answer complete: the client still gets its end marker
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

  private void messageStart(JsonObject json, Buffer out) {
    JsonObject message = json.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    if (message.getValue("id") instanceof String messageId) {
      id = messageId;
    }
    if (message.getValue("model") instanceof String m) {
      model = m;
    }
    usage(message.getValue("usage"));
    prefix = null;
    out.appendBuffer(chunkBuffer(new JsonObject().put("role", "assistant").put("content", ""), null));
  }

  private void blockStart(JsonObject json, Buffer out) {
    int index = json.getValue("index") instanceof Number n ? n.intValue() : 0;
    JsonObject block = json.getValue("content_block") instanceof JsonObject b ? b : new JsonObject();
    switch (String.valueOf(block.getValue("type"))) {
      case "tool_use" -> {
        int call = toolIndex.size();
        toolIndex.put(index, call);
        JsonObject toolCall = new JsonObject().put("index", call).put("id", block.getValue("id"))
            .put("type", "function")
            .put("function", new JsonObject().put("name", block.getValue("name")).put("arguments", ""));
        out.appendBuffer(chunkBuffer(new JsonObject().put("tool_calls", new JsonArray().add(toolCall)), null));
      }
      case "text" -> {
        if (block.getValue("text") instanceof String text && !text.isEmpty()) {
          out.appendBuffer(chunkBuffer(new JsonObject().put("content", text), null));
        }
      }
      case "thinking" -> thinking.put(index, new StringBuilder(block.getString("thinking", "")));
      case "redacted_thinking" -> out.appendBuffer(chunkBuffer(
          new JsonObject().put("thinking_blocks", new JsonArray().add(block.copy())), null));
      default -> { }
    }
  }

  private void blockDelta(JsonObject json, Buffer out) {
    int index = json.getValue("index") instanceof Number n ? n.intValue() : 0;
    JsonObject delta = json.getValue("delta") instanceof JsonObject d ? d : new JsonObject();
    switch (String.valueOf(delta.getValue("type"))) {
      case "text_delta" -> {
        String text = delta.getString("text", "");
        if (!text.isEmpty()) {
          out.appendBuffer(chunkBuffer(new JsonObject().put("content", text), null));
        }
      }
      case "thinking_delta" -> {
        String text = delta.getString("thinking", "");
        thinking.computeIfAbsent(index, i -> new StringBuilder()).append(text);
        if (!text.isEmpty()) {
          out.appendBuffer(chunkBuffer(new JsonObject().put("reasoning_content", text), null));
        }
      }
      case "signature_delta" -> {
        StringBuilder text = thinking.remove(index);
        JsonObject block = new JsonObject().put("type", "thinking").put("thinking", text == null ? "" : text.toString())
            .put("signature", delta.getValue("signature"));
        out.appendBuffer(chunkBuffer(new JsonObject().put("thinking_blocks", new JsonArray().add(block)), null));
      }
      case "input_json_delta" -> {
        Integer call = toolIndex.get(index);
        String partial = delta.getString("partial_json", "");
        if (call != null && !partial.isEmpty()) {
          JsonObject toolCall = new JsonObject().put("index", call)
              .put("function", new JsonObject().put("arguments", partial));
          out.appendBuffer(chunkBuffer(new JsonObject().put("tool_calls", new JsonArray().add(toolCall)), null));
        }
      }
      default -> { } // citations_delta: no OpenAI field
    }
  }

  private void messageDelta(JsonObject json, Buffer out) {
    usage(json.getValue("usage"));
    JsonObject delta = json.getValue("delta") instanceof JsonObject d ? d : new JsonObject();
    String finish = StopReasons.toOpenAi(delta.getValue("stop_reason") instanceof String s ? s : "end_turn");
    if (!finishSent) {
      finishSent = true;
      out.appendBuffer(chunkBuffer(new JsonObject(), finish));
    }
  }

  private void end(Buffer out) {
    if (includeUsage) {
      Sse.data(out, envelope().put("choices", new JsonArray())
          .put("usage", Usages.toOpenAi(inputTokens, cacheRead, cacheWrite, outputTokens)));
    }
    Sse.done(out);
    ended = true;
    complete = true;
  }

  private void fail(String message, Buffer out) {
    out.appendBuffer(ErrorBodies.sseEvent(Protocol.OPENAI, ErrorKind.UPSTREAM_FAILED, message));
    ended = true;
  }

  /** Anthropic reports usage in message_start and refines it in message_delta; later counts win. */
  private void usage(Object value) {
    if (!(value instanceof JsonObject usage)) {
      return;
    }
    inputTokens = pick(usage, "input_tokens", inputTokens);
    cacheRead = pick(usage, "cache_read_input_tokens", cacheRead);
    cacheWrite = pick(usage, "cache_creation_input_tokens", cacheWrite);
    outputTokens = pick(usage, "output_tokens", outputTokens);
  }

  private static long pick(JsonObject usage, String field, long current) {
    return usage.getValue(field) instanceof Number n ? n.longValue() : current;
  }

  private JsonObject envelope() {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model);
  }

  /**
   * One chunk, written by hand around the encoded delta: the envelope is the same for every chunk of the stream
   * and this runs for every token, so it skips building and encoding the envelope each time.
   */
  private Buffer chunkBuffer(JsonObject delta, String finishReason) {
    Buffer b = Buffer.buffer(128);
    b.appendString("data: ").appendString(prefix())
        .appendString(delta.encode())
        .appendString(",\"logprobs\":null,\"finish_reason\":")
        .appendString(finishReason == null ? "null" : "\"" + finishReason + "\"")
        .appendString("}]}\n\n");
    return b;
  }

  private String prefix() {
    if (prefix == null) {
      String envelope = envelope().encode();
      prefix = envelope.substring(0, envelope.length() - 1) + ",\"choices\":[{\"index\":0,\"delta\":";
    }
    return prefix;
  }
}
