package dev.llmproxy.echo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The echo backend's answers to the OpenAI Responses API ({@code POST /v1/responses}), in the API's shapes: a
 * response object, and for a stream the events OpenAI sends for a one-message text answer, in its order, each with
 * its {@code sequence_number}: {@code response.created}, {@code response.in_progress},
 * {@code response.output_item.added}, {@code response.content_part.added}, one {@code response.output_text.delta}
 * per word, {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done},
 * {@code response.completed} (no {@code [DONE]}). Pure functions.
 */
final class EchoResponses {

  private EchoResponses() {}

  /** The last user input, prefixed like every echo answer: {@code input} is a string or a list of items. */
  static String replyText(JsonObject request) {
    Object input = request.getValue("input");
    String last = "";
    if (input instanceof String s) {
      last = s;
    } else if (input instanceof JsonArray items) {
      for (int i = items.size() - 1; i >= 0; i--) {
        if (items.getValue(i) instanceof JsonObject item && "user".equals(item.getValue("role"))) {
          last = EchoReplies.text(item.getValue("content"));
          break;
        }
      }
    }
    return "[echo] " + last;
  }

  /** The completed response whose one output message is {@code text}. */
  static JsonObject response(String id, String messageId, String model, String text, JsonObject request) {
    int input = EchoReplies.promptTokens(request);
    int output = EchoReplies.tokens(text);
    return new JsonObject()
        .put("id", id).put("object", "response").put("created_at", System.currentTimeMillis() / 1000)
        .put("status", "completed").put("error", null).put("incomplete_details", null)
        .put("instructions", request.getValue("instructions"))
        .put("max_output_tokens", request.getValue("max_output_tokens"))
        .put("model", model)
        .put("output", new JsonArray().add(message(messageId, "completed", text)))
        .put("parallel_tool_calls", true)
        .put("previous_response_id", request.getValue("previous_response_id"))
        .put("reasoning", new JsonObject().put("effort", null).put("summary", null))
        .put("store", false)  // nothing is kept: a later previous_response_id cannot refer to it
        .put("temperature", 1.0).put("top_p", 1.0)
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", "auto").put("tools", new JsonArray()).put("truncation", "disabled")
        .put("usage", new JsonObject()
            .put("input_tokens", input).put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
            .put("output_tokens", output).put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0))
            .put("total_tokens", input + output))
        .put("user", null).put("metadata", new JsonObject());
  }

  /** The stream's events for {@code completed} (a {@link #response}), each to be sent as {@code event: <type>}. */
  static List<JsonObject> events(JsonObject completed) {
    JsonObject done = completed.getJsonArray("output").getJsonObject(0);
    String itemId = done.getString("id");
    String text = done.getJsonArray("content").getJsonObject(0).getString("text");
    JsonObject started = completed.copy().put("status", "in_progress").put("output", new JsonArray())
        .put("usage", null);
    List<JsonObject> events = new ArrayList<>();
    events.add(event("response.created").put("response", started));
    events.add(event("response.in_progress").put("response", started.copy()));
    events.add(event("response.output_item.added").put("output_index", 0)
        .put("item", message(itemId, "in_progress", null)));
    events.add(part(event("response.content_part.added"), itemId).put("part", outputText("")));
    for (String piece : EchoReplies.pieces(text)) {
      events.add(part(event("response.output_text.delta"), itemId).put("delta", piece)
          .put("logprobs", new JsonArray()));
    }
    events.add(part(event("response.output_text.done"), itemId).put("text", text).put("logprobs", new JsonArray()));
    events.add(part(event("response.content_part.done"), itemId).put("part", outputText(text)));
    events.add(event("response.output_item.done").put("output_index", 0).put("item", done.copy()));
    events.add(event("response.completed").put("response", completed));
    for (int i = 0; i < events.size(); i++) {
      events.get(i).put("sequence_number", i);
    }
    return events;
  }

  /** An assistant message item; {@code text} null gives an empty content list (the item just announced). */
  private static JsonObject message(String id, String status, String text) {
    return new JsonObject().put("id", id).put("type", "message").put("status", status).put("role", "assistant")
        .put("content", text == null ? new JsonArray() : new JsonArray().add(outputText(text)));
  }

  private static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("annotations", new JsonArray()).put("text", text);
  }

  private static JsonObject event(String type) {
    return new JsonObject().put("type", type);
  }

  private static JsonObject part(JsonObject event, String itemId) {
    return event.put("item_id", itemId).put("output_index", 0).put("content_index", 0);
  }
}
