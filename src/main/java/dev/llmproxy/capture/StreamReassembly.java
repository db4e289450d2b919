package dev.llmproxy.capture;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a stream's events back into the answer the same request would have got without streaming, so a dataset
 * has one shape per protocol whichever way a request was made. Pure; runs on the capture writer thread.
 *
 * <p>OpenAI chat chunks: per choice, {@code content}, {@code reasoning_content} / {@code reasoning} and
 * {@code refusal} are concatenated; {@code tool_calls} are merged by their {@code index} with their
 * {@code function.arguments} joined; the last {@code finish_reason} and {@code usage} win. Legacy completion
 * chunks join {@code text}.
 *
 * <p>Anthropic events: {@code message_start} gives the message; each {@code content_block_start} opens a block
 * that its deltas complete ({@code text_delta} text, {@code thinking_delta} thinking plus {@code signature_delta},
 * {@code input_json_delta} partial JSON joined and parsed into {@code input}, {@code citations_delta} appended to
 * {@code citations}); {@code message_delta} sets {@code stop_reason}, {@code stop_sequence} and the output usage.
 */
final class StreamReassembly {

  private StreamReassembly() {}

  static JsonObject openAi(List<CaptureTap.Event> events) {
    JsonObject message = new JsonObject();
    Map<Integer, JsonObject> choices = new TreeMap<>();
    Map<Integer, Map<Integer, JsonObject>> toolCalls = new TreeMap<>();
    boolean legacy = false;
    for (CaptureTap.Event event : events) {
      JsonObject chunk = json(event.data());
      if (chunk == null) {
        continue;
      }
      for (String field : new String[] {"id", "created", "model", "system_fingerprint", "service_tier"}) {
        if (chunk.getValue(field) != null) {
          message.put(field, chunk.getValue(field));
        }
      }
      if (chunk.getValue("usage") instanceof JsonObject usage) {
        message.put("usage", usage);
      }
      if (chunk.getValue("error") != null) {
        message.put("error", chunk.getValue("error"));
      }
      if (!(chunk.getValue("choices") instanceof JsonArray list)) {
        continue;
      }
      for (Object item : list) {
        if (!(item instanceof JsonObject c)) {
          continue;
        }
        int index = c.getValue("index") instanceof Number n ? n.intValue() : 0;
        JsonObject choice = choices.computeIfAbsent(index, i -> new JsonObject().put("index", i));
        if (c.getValue("finish_reason") != null) {
          choice.put("finish_reason", c.getValue("finish_reason"));
        }
        if (c.getValue("text") instanceof String text) {
          legacy = true;
          choice.put("text", choice.getString("text", "") + text);
        }
        if (c.getValue("delta") instanceof JsonObject delta) {
          JsonObject out = choice.getJsonObject("message");
          if (out == null) {
            out = new JsonObject().put("role", "assistant");
            choice.put("message", out);
          }
          mergeDelta(delta, out, toolCalls.computeIfAbsent(index, i -> new TreeMap<>()));
        }
      }
    }
    JsonArray out = new JsonArray();
    choices.forEach((index, choice) -> {
      Map<Integer, JsonObject> calls = toolCalls.get(index);
      if (calls != null && !calls.isEmpty() && choice.getJsonObject("message") != null) {
        choice.getJsonObject("message").put("tool_calls", new JsonArray(List.copyOf(calls.values())));
      }
      out.add(choice);
    });
    message.put("object", legacy ? "text_completion" : "chat.completion");
    message.put("choices", out);
    return message;
  }

  private static void mergeDelta(JsonObject delta, JsonObject message, Map<Integer, JsonObject> calls) {
    if (delta.getValue("role") instanceof String role) {
      message.put("role", role);
    }
    for (String field : new String[] {"content", "reasoning_content", "reasoning", "refusal"}) {
      if (delta.getValue(field) instanceof String text) {
        message.put(field, message.getString(field, "") + text);
      }
    }
    if (delta.getValue("function_call") instanceof JsonObject fn) {
      JsonObject joined = message.getJsonObject("function_call");
      if (joined == null) {
        joined = new JsonObject();
        message.put("function_call", joined);
      }
      mergeFunction(fn, joined);
    }
    if (delta.getValue("tool_calls") instanceof JsonArray list) {
      for (Object item : list) {
        if (!(item instanceof JsonObject call)) {
          continue;
        }
        int index = call.getValue("index") instanceof Number n ? n.intValue() : calls.size();
        JsonObject joined = calls.computeIfAbsent(index, i -> new JsonObject().put("index", i));
        for (String field : new String[] {"id", "type"}) {
          if (call.getValue(field) != null) {
            joined.put(field, call.getValue(field));
          }
        }
        if (call.getValue("function") instanceof JsonObject fn) {
          JsonObject function = joined.getJsonObject("function");
          if (function == null) {
            function = new JsonObject();
            joined.put("function", function);
          }
          mergeFunction(fn, function);
        }
      }
    }
  }

  private static void mergeFunction(JsonObject delta, JsonObject joined) {
    if (delta.getValue("name") instanceof String name && !name.isEmpty()) {
      joined.put("name", joined.getString("name", "") + name);
    }
    if (delta.getValue("arguments") instanceof String args) {
      joined.put("arguments", joined.getString("arguments", "") + args);
    }
  }

  static JsonObject anthropic(List<CaptureTap.Event> events) {
    JsonObject message = new JsonObject().put("type", "message").put("role", "assistant");
    Map<Integer, JsonObject> blocks = new TreeMap<>();
    Map<Integer, StringBuilder> partialJson = new TreeMap<>();
    JsonObject usage = new JsonObject();
    for (CaptureTap.Event event : events) {
      JsonObject json = json(event.data());
      if (json == null) {
        continue;
      }
      String type = json.getString("type", event.name());
      if (type == null) {
        continue;
      }
      switch (type) {
        case "message_start" -> {
          if (json.getValue("message") instanceof JsonObject start) {
            start.forEach(e -> {
              if (!e.getKey().equals("content") && !e.getKey().equals("usage")) {
                message.put(e.getKey(), e.getValue());
              }
            });
            if (start.getValue("usage") instanceof JsonObject u) {
              usage.mergeIn(u);
            }
          }
        }
        case "content_block_start" -> {
          int index = index(json, blocks.size());
          JsonObject block = json.getValue("content_block") instanceof JsonObject b ? b.copy() : new JsonObject();
          blocks.put(index, block);
        }
        case "content_block_delta" -> {
          int index = index(json, blocks.size() - 1);
          JsonObject block = blocks.computeIfAbsent(index, i -> new JsonObject());
          if (json.getValue("delta") instanceof JsonObject delta) {
            applyDelta(block, delta, partialJson.computeIfAbsent(index, i -> new StringBuilder()));
          }
        }
        case "message_delta" -> {
          if (json.getValue("delta") instanceof JsonObject delta) {
            delta.forEach(e -> message.put(e.getKey(), e.getValue()));
          }
          if (json.getValue("usage") instanceof JsonObject u) {
            usage.mergeIn(u);
          }
        }
        case "error" -> message.put("error", json.getValue("error"));
        default -> { }
      }
    }
    JsonArray content = new JsonArray();
    blocks.forEach((index, block) -> {
      StringBuilder joined = partialJson.get(index);
      if (joined != null && joined.length() > 0) {
        try {
          block.put("input", Json.decodeValue(joined.toString()));
        } catch (RuntimeException e) {
          block.put("partial_json", joined.toString());  // an answer cut short: keep what arrived
        }
      }
      content.add(block);
    });
    message.put("content", content);
    if (!usage.isEmpty()) {
      message.put("usage", usage);
    }
    return message;
  }

  private static void applyDelta(JsonObject block, JsonObject delta, StringBuilder partialJson) {
    String type = delta.getString("type", "");
    switch (type) {
      case "text_delta" -> block.put("text", block.getString("text", "") + delta.getString("text", ""));
      case "thinking_delta" ->
          block.put("thinking", block.getString("thinking", "") + delta.getString("thinking", ""));
      case "signature_delta" ->
          block.put("signature", block.getString("signature", "") + delta.getString("signature", ""));
      case "input_json_delta" -> partialJson.append(delta.getString("partial_json", ""));
      case "citations_delta" -> {
        JsonArray citations = block.getValue("citations") instanceof JsonArray a ? a : new JsonArray();
        citations.add(delta.getValue("citation"));
        block.put("citations", citations);
      }
      default -> delta.forEach(e -> {
        // An unknown delta kind: keep its text-like fields joined so nothing that was streamed is lost.
        if (!e.getKey().equals("type") && e.getValue() instanceof String s) {
          block.put(e.getKey(), block.getString(e.getKey(), "") + s);
        }
      });
    }
  }

  private static int index(JsonObject json, int fallback) {
    return json.getValue("index") instanceof Number n ? n.intValue() : Math.max(0, fallback);
  }

  private static JsonObject json(String data) {
    if (data == null || data.isBlank() || data.trim().equals("[DONE]")) {
      return null;
    }
    try {
      return Json.decodeValue(data) instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
