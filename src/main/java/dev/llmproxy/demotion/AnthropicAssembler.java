package dev.llmproxy.demotion;

import dev.llmproxy.protocol.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Anthropic events → one message: {@code message_start} gives the message (id, model, usage, and any field we do
 * not know, numbers kept exact), each block starts from its {@code content_block_start} and grows by its deltas
 * (text, thinking and its signature, {@code partial_json} joined and parsed at the block's stop, citations
 * appended), {@code message_delta} sets the stop reason and merges usage (later counts win).
 */
final class AnthropicAssembler implements StreamAssembler {

  private JsonObject message;
  private final Map<Integer, JsonObject> blocks = new TreeMap<>();
  private final Map<Integer, StringBuilder> text = new TreeMap<>();
  private final Map<Integer, StringBuilder> thinking = new TreeMap<>();
  private final Map<Integer, StringBuilder> json = new TreeMap<>();
  private boolean finished;
  private boolean stopped;
  private JsonObject error;

  @Override
  public void onEvent(String event, String data) {
    if (data == null || error != null) {
      return;
    }
    JsonObject e = ExactJson.objectOrNull(data);
    if (e == null) {
      return;
    }
    String type = e.getValue("type") instanceof String t ? t : event == null ? "" : event;
    switch (type) {
      case "message_start" -> message = e.getValue("message") instanceof JsonObject m ? m : new JsonObject();
      case "content_block_start" -> {
        int index = index(e);
        blocks.put(index, e.getValue("content_block") instanceof JsonObject b ? b : new JsonObject());
      }
      case "content_block_delta" -> delta(index(e), e.getValue("delta") instanceof JsonObject d ? d : new JsonObject());
      case "content_block_stop" -> stop(index(e));
      case "message_delta" -> {
        finished = true;
        JsonObject m = message();
        if (e.getValue("delta") instanceof JsonObject d) {
          d.forEach(entry -> m.put(entry.getKey(), entry.getValue()));
        }
        if (e.getValue("usage") instanceof JsonObject u) {
          JsonObject usage = m.getValue("usage") instanceof JsonObject existing ? existing : new JsonObject();
          u.forEach(entry -> {
            if (entry.getValue() != null) {
              usage.put(entry.getKey(), entry.getValue());
            }
          });
          m.put("usage", usage);
        }
      }
      case "message_stop" -> stopped = true;
      case "error" -> error = e;
      default -> { }
    }
  }

  private void delta(int index, JsonObject delta) {
    JsonObject block = blocks.computeIfAbsent(index, i -> new JsonObject());
    switch (String.valueOf(delta.getValue("type"))) {
      case "text_delta" -> text.computeIfAbsent(index, i -> new StringBuilder(block.getString("text", "")))
          .append(delta.getString("text", ""));
      case "thinking_delta" -> thinking.computeIfAbsent(index, i -> new StringBuilder(block.getString("thinking", "")))
          .append(delta.getString("thinking", ""));
      case "signature_delta" -> block.put("signature", delta.getValue("signature"));
      case "input_json_delta" -> json.computeIfAbsent(index, i -> new StringBuilder())
          .append(delta.getString("partial_json", ""));
      case "citations_delta" -> {
        JsonArray citations = block.getValue("citations") instanceof JsonArray c ? c : new JsonArray();
        citations.add(delta.getValue("citation"));
        block.put("citations", citations);
      }
      default -> { }
    }
  }

  private void stop(int index) {
    JsonObject block = blocks.get(index);
    if (block == null) {
      return;
    }
    StringBuilder t = text.remove(index);
    if (t != null) {
      block.put("text", t.toString());
    }
    StringBuilder th = thinking.remove(index);
    if (th != null) {
      block.put("thinking", th.toString());
    }
    StringBuilder input = json.remove(index);
    if (input != null) {
      String raw = input.toString();
      // Streams send tool input as JSON text in fragments; the non-stream answer has it as an object.
      JsonObject parsed = raw.isBlank() ? new JsonObject() : ExactJson.objectOrNull(raw);
      block.put("input", parsed != null ? parsed : new JsonObject().put("_unparsed_input", raw));
    }
  }

  @Override
  public boolean complete() {
    return error == null && message != null && (stopped || finished);
  }

  @Override
  public JsonObject error() {
    return error;
  }

  @Override
  public JsonObject result() {
    for (Integer index : new ArrayList<>(blocks.keySet())) {
      stop(index); // a block whose stop event was lost is still complete enough to return
    }
    JsonObject out = message().copy();
    List<Object> content = new ArrayList<>();
    blocks.values().forEach(content::add);
    out.put("content", new JsonArray(content));
    return out;
  }

  private JsonObject message() {
    if (message == null) {
      message = new JsonObject().put("type", "message").put("role", "assistant");
    }
    return message;
  }

  private static int index(JsonObject e) {
    return e.getValue("index") instanceof Number n ? n.intValue() : 0;
  }
}
