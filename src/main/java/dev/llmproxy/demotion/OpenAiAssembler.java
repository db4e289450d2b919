package dev.llmproxy.demotion;

import dev.llmproxy.protocol.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * OpenAI chunks → one chat.completion: the envelope ({@code id}, {@code model}, {@code created},
 * {@code system_fingerprint}, {@code service_tier}) from the chunks, per choice the delta strings joined
 * ({@code content}, {@code reasoning_content}, {@code refusal}), tool calls by index with their argument
 * fragments joined, logprobs appended, the finish reason, and the usage chunk.
 */
final class OpenAiAssembler implements StreamAssembler {

  /** Delta fields that arrive as fragments of one string. */
  private static final Set<String> TEXT_FIELDS = Set.of("content", "reasoning_content", "reasoning", "refusal");
  private static final Set<String> ENVELOPE = Set.of("id", "created", "model", "system_fingerprint", "service_tier");

  private final JsonObject completion = new JsonObject().put("object", "chat.completion");
  private final Map<Integer, Choice> choices = new TreeMap<>();
  private boolean done;
  private boolean finished;
  private boolean sawChunk;
  private JsonObject error;

  private static final class Choice {
    final JsonObject message = new JsonObject().put("role", "assistant");
    final Map<String, StringBuilder> text = new TreeMap<>();
    final Map<Integer, JsonObject> calls = new TreeMap<>();
    final Map<Integer, StringBuilder> arguments = new TreeMap<>();
    JsonArray logprobs;
    Object finishReason;
  }

  @Override
  public void onEvent(String event, String data) {
    if (data == null || error != null) {
      return;
    }
    if (data.strip().equals("[DONE]")) {
      done = true;
      return;
    }
    JsonObject chunk = ExactJson.objectOrNull(data);
    if (chunk == null) {
      return;
    }
    if (chunk.getValue("error") != null) {
      error = chunk;
      return;
    }
    sawChunk = true;
    for (String field : ENVELOPE) {
      if (chunk.getValue(field) != null) {
        completion.put(field, chunk.getValue(field));
      }
    }
    if (chunk.getValue("usage") instanceof JsonObject usage) {
      completion.put("usage", usage);
    }
    if (chunk.getValue("choices") instanceof JsonArray list) {
      for (Object c : list) {
        if (c instanceof JsonObject choice) {
          choice(choice);
        }
      }
    }
  }

  private void choice(JsonObject chunkChoice) {
    int index = chunkChoice.getValue("index") instanceof Number n ? n.intValue() : 0;
    Choice choice = choices.computeIfAbsent(index, i -> new Choice());
    if (chunkChoice.getValue("delta") instanceof JsonObject delta) {
      delta.forEach(entry -> {
        String field = entry.getKey();
        Object value = entry.getValue();
        if (value == null) {
          return;
        }
        if (TEXT_FIELDS.contains(field) && value instanceof String s) {
          choice.text.computeIfAbsent(field, f -> new StringBuilder()).append(s);
        } else if (field.equals("tool_calls") && value instanceof JsonArray calls) {
          toolCalls(choice, calls);
        } else if (!field.equals("role") || !choice.message.containsKey("role")) {
          choice.message.put(field, value); // a field we do not know: the last value stands, kept exact
        }
      });
    }
    if (chunkChoice.getValue("logprobs") instanceof JsonObject logprobs
        && logprobs.getValue("content") instanceof JsonArray content) {
      if (choice.logprobs == null) {
        choice.logprobs = new JsonArray();
      }
      content.forEach(choice.logprobs::add);
    }
    if (chunkChoice.getValue("finish_reason") != null) {
      choice.finishReason = chunkChoice.getValue("finish_reason");
      finished = true;
    }
  }

  private static void toolCalls(Choice choice, JsonArray calls) {
    for (int i = 0; i < calls.size(); i++) {
      if (!(calls.getValue(i) instanceof JsonObject call)) {
        continue;
      }
      int index = call.getValue("index") instanceof Number n ? n.intValue() : i;
      JsonObject assembled = choice.calls.computeIfAbsent(index,
          k -> new JsonObject().put("id", null).put("type", "function").put("function", new JsonObject()));
      if (call.getValue("id") instanceof String id) {
        assembled.put("id", id);
      }
      if (call.getValue("type") instanceof String type) {
        assembled.put("type", type);
      }
      if (call.getValue("function") instanceof JsonObject function) {
        JsonObject target = assembled.getJsonObject("function");
        if (function.getValue("name") instanceof String name && !name.isEmpty()) {
          target.put("name", name);
        }
        if (function.getValue("arguments") instanceof String fragment) {
          choice.arguments.computeIfAbsent(index, k -> new StringBuilder()).append(fragment);
        }
      }
    }
  }

  @Override
  public boolean complete() {
    return error == null && sawChunk && (done || finished);
  }

  @Override
  public JsonObject error() {
    return error;
  }

  @Override
  public JsonObject result() {
    JsonObject out = new JsonObject();
    for (String field : List.of("id", "object", "created", "model")) {
      out.put(field, completion.getValue(field));
    }
    List<Object> list = new ArrayList<>();
    choices.forEach((index, choice) -> {
      JsonObject message = choice.message.copy();
      if (!choice.text.containsKey("content")) {
        message.put("content", null);
      }
      choice.text.forEach((field, value) -> message.put(field, value.toString()));
      if (!choice.calls.isEmpty()) {
        JsonArray calls = new JsonArray();
        choice.calls.forEach((i, call) -> {
          JsonObject copy = call.copy();
          StringBuilder arguments = choice.arguments.get(i);
          copy.getJsonObject("function").put("arguments", arguments == null ? "" : arguments.toString());
          calls.add(copy);
        });
        message.put("tool_calls", calls);
      }
      list.add(new JsonObject()
          .put("index", index)
          .put("message", message)
          .put("logprobs", choice.logprobs == null ? null : new JsonObject().put("content", choice.logprobs))
          .put("finish_reason", choice.finishReason));
    });
    out.put("choices", new JsonArray(list));
    for (String field : List.of("usage", "system_fingerprint", "service_tier")) {
      if (completion.getValue(field) != null) {
        out.put(field, completion.getValue(field));
      }
    }
    return out;
  }
}
