package dev.llmproxy.demotion;

import dev.llmproxy.protocol.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAI Responses API events → the response object {@code POST /v1/responses} returns without streaming.
 *
 * <p>The stream's terminal event ({@code response.completed}, {@code response.incomplete},
 * {@code response.failed}) carries the whole response, which is then the result as the provider sent it. Until one
 * arrives (a stream cut short), the result is built from the events: the envelope of the last lifecycle event, and
 * each output item as announced ({@code response.output_item.added}) and grown by its events — content parts and
 * their text ({@code response.output_text.delta}), refusals, function call arguments, reasoning summaries and
 * text, annotations — or as closed ({@code response.output_item.done}, which replaces it). Such a partial result
 * keeps the last status the stream reported ({@code in_progress}). An {@code error} event is {@link #error()}, as
 * is a failed response's {@code error}.
 */
final class ResponsesAssembler implements StreamAssembler {

  private JsonObject envelope = new JsonObject().put("object", "response");
  private final Map<Integer, JsonObject> output = new TreeMap<>();
  private JsonObject terminal;
  private boolean complete;
  private JsonObject error;

  @Override
  public void onEvent(String event, String data) {
    if (data == null || terminal != null) {
      return;
    }
    JsonObject json = ExactJson.objectOrNull(data);
    if (json == null) {
      return;
    }
    String type = json.getValue("type") instanceof String t ? t : event;
    if (type == null) {
      return;
    }
    switch (type) {
      case "response.created", "response.in_progress", "response.queued" -> {
        if (json.getValue("response") instanceof JsonObject response) {
          envelope = response.copy();
        }
      }
      case "response.completed", "response.incomplete", "response.failed" -> finish(type, json);
      case "error" -> error = json.getValue("error") instanceof JsonObject nested ? nested : json;
      case "response.output_item.added", "response.output_item.done" -> {
        if (json.getValue("item") instanceof JsonObject item) {
          output.put(index(json, "output_index"), item.copy());
        }
      }
      case "response.content_part.added" -> {
        if (json.getValue("part") instanceof JsonObject part) {
          slot(item(json), "content", index(json, "content_index")).mergeIn(part.copy());
        }
      }
      case "response.output_text.delta" -> append(slot(item(json), "content", index(json, "content_index"))
          .put("type", "output_text"), "text", json);
      case "response.refusal.delta" -> append(slot(item(json), "content", index(json, "content_index"))
          .put("type", "refusal"), "refusal", json);
      case "response.reasoning_text.delta" -> append(slot(item(json), "content", index(json, "content_index"))
          .put("type", "reasoning_text"), "text", json);
      case "response.reasoning_summary_text.delta" -> append(slot(item(json), "summary", index(json, "summary_index"))
          .put("type", "summary_text"), "text", json);
      case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta" ->
          append(item(json), type.startsWith("response.function") ? "arguments" : "input", json);
      case "response.output_text.annotation.added" -> {
        JsonObject part = slot(item(json), "content", index(json, "content_index"));
        if (!(part.getValue("annotations") instanceof JsonArray)) {
          part.put("annotations", new JsonArray());
        }
        part.getJsonArray("annotations").add(json.getValue("annotation"));
      }
      default -> { }
    }
  }

  private void finish(String type, JsonObject json) {
    if (!(json.getValue("response") instanceof JsonObject response)) {
      return;
    }
    terminal = response;
    complete = !type.equals("response.failed");
    if (!complete && response.getValue("error") instanceof JsonObject failure) {
      error = failure;
    }
  }

  /** The output item an event refers to by {@code output_index}, created if the stream never announced it. */
  private JsonObject item(JsonObject event) {
    return output.computeIfAbsent(index(event, "output_index"), i -> new JsonObject());
  }

  /** Entry {@code index} of the item's list {@code field}, created (with the entries before it) when missing. */
  private static JsonObject slot(JsonObject item, String field, int index) {
    if (!(item.getValue(field) instanceof JsonArray)) {
      item.put(field, new JsonArray());
    }
    JsonArray list = item.getJsonArray(field);
    while (list.size() <= index) {
      list.add(new JsonObject());
    }
    return list.getJsonObject(index);
  }

  private static JsonObject append(JsonObject target, String field, JsonObject event) {
    String delta = event.getValue("delta") instanceof String d ? d : "";
    return target.put(field, (target.getValue(field) instanceof String s ? s : "") + delta);
  }

  private static int index(JsonObject event, String field) {
    return event.getValue(field) instanceof Number n ? n.intValue() : 0;
  }

  @Override
  public boolean complete() {
    return complete;
  }

  @Override
  public JsonObject error() {
    return error;
  }

  @Override
  public JsonObject result() {
    if (terminal != null) {
      return terminal;
    }
    JsonArray items = new JsonArray();
    output.values().forEach(items::add);
    return envelope.copy().put("output", items);
  }
}
