package dev.llmproxy.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A mock model behind a {@link MockUpstream} that knows one answer and streams it the way a provider does, in the
 * OpenAI or the Anthropic shape, one piece (a word and its following space) per event. Like a real model it
 * continues a prefill: when the request ends with an assistant turn that the answer begins with, it streams the
 * rest of the answer only. On demand it breaks after some pieces (cuts the connection, stalls, sends an error event,
 * ends without its finish, starts a tool call), refuses prefills as Claude 4.6 models do, and rejects a prefill
 * that ends in whitespace as Anthropic does. Immutable: each option returns a new model.
 */
public final class ScriptedModel implements MockUpstream.Reply {

  /** How the stream breaks after {@link #breakAfter} pieces. */
  public enum Break { NONE, RESET, STALL, ERROR_EVENT, END_EARLY, TOOL_CALL }

  private final boolean anthropic;
  private final String answer;
  private final int breakAfter;
  private final Break how;
  private final boolean refusesPrefill;

  private ScriptedModel(boolean anthropic, String answer, int breakAfter, Break how, boolean refusesPrefill) {
    this.anthropic = anthropic;
    this.answer = answer;
    this.breakAfter = breakAfter;
    this.how = how;
    this.refusesPrefill = refusesPrefill;
  }

  public static ScriptedModel openAi(String answer) {
    return new ScriptedModel(false, answer, Integer.MAX_VALUE, Break.NONE, false);
  }

  public static ScriptedModel anthropic(String answer) {
    return new ScriptedModel(true, answer, Integer.MAX_VALUE, Break.NONE, false);
  }

  /** Breaks {@code how} after streaming {@code pieces} pieces of the answer. */
  public ScriptedModel breaking(int pieces, Break how) {
    return new ScriptedModel(anthropic, answer, pieces, how, refusesPrefill);
  }

  /** Answers 400 to a request that ends with an assistant turn, as Claude 4.6 models do. */
  public ScriptedModel refusingPrefill() {
    return new ScriptedModel(anthropic, answer, breakAfter, how, true);
  }

  /** The answer's pieces: each word with the whitespace that follows it. */
  public static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      boolean wordEnds = Character.isWhitespace(text.charAt(i))
          && (i + 1 == text.length() || !Character.isWhitespace(text.charAt(i + 1)));
      if (wordEnds) {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  @Override
  public void send(HttpServerRequest request, Buffer body, MockUpstream upstream) {
    JsonObject json = body.toJsonObject();
    String prefill = prefill(json);
    if (prefill != null && refusesPrefill) {
      error(request, 400, "This model does not support assistant message prefill."
          + " The conversation must end with a user message.");
      return;
    }
    if (prefill != null && anthropic && !prefill.equals(prefill.stripTrailing())) {
      error(request, 400, "messages: final assistant content cannot end with trailing whitespace");
      return;
    }
    if (prefill != null && !answer.startsWith(prefill)) {
      error(request, 400, "test model: the prefill is not the start of my answer: \"" + prefill + "\"");
      return;
    }
    String rest = prefill == null ? answer : answer.substring(prefill.length());
    String model = json.getString("model", "?");
    boolean usage = json.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    List<String> events = anthropic ? anthropicEvents(upstream.id(), model, rest) : openAiEvents(upstream.id(), model,
        rest, usage);
    HttpServerResponse response = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
    for (String event : events) {
      response.write(event);
    }
    switch (how) {
      case RESET, TOOL_CALL -> request.connection().close();
      case ERROR_EVENT, END_EARLY, NONE -> response.end();
      case STALL -> { }
    }
  }

  /** The text of the request's trailing assistant turn, or null when it ends with another role. */
  private static String prefill(JsonObject request) {
    JsonArray messages = request.getJsonArray("messages", new JsonArray());
    if (messages.isEmpty()) {
      return null;
    }
    JsonObject last = messages.getJsonObject(messages.size() - 1);
    if (!"assistant".equals(last.getString("role"))) {
      return null;
    }
    // A string, or text blocks (an OpenAI client's prefill translated for Anthropic, say).
    if (last.getValue("content") instanceof JsonArray blocks) {
      StringBuilder text = new StringBuilder();
      blocks.forEach(b -> text.append(((JsonObject) b).getString("text", "")));
      return text.toString();
    }
    return last.getString("content");
  }

  private List<String> openAiEvents(String id, String model, String text, boolean usage) {
    List<String> events = new ArrayList<>();
    String base = "chatcmpl-" + id;
    long created = 1_700_000_000L + Math.abs(id.hashCode() % 1000);
    events.add(openAi(base, created, model, new JsonObject().put("role", "assistant").put("content", ""), null));
    List<String> pieces = pieces(text);
    for (int i = 0; i < pieces.size(); i++) {
      if (i == breakAfter) {
        events.addAll(openAiBreak(base, created, model));
        return events;
      }
      events.add(openAi(base, created, model, new JsonObject().put("content", pieces.get(i)), null));
    }
    events.add(openAi(base, created, model, new JsonObject(), "stop"));
    if (usage) {
      events.add("data: " + new JsonObject().put("id", base).put("object", "chat.completion.chunk")
          .put("created", created).put("model", model).put("choices", new JsonArray())
          .put("usage", new JsonObject().put("prompt_tokens", 10).put("completion_tokens", pieces.size())
              .put("total_tokens", 10 + pieces.size())).encode() + "\n\n");
    }
    events.add("data: [DONE]\n\n");
    return events;
  }

  private List<String> openAiBreak(String base, long created, String model) {
    return switch (how) {
      case ERROR_EVENT -> List.of("data: {\"error\":{\"message\":\"The server had an error while processing your"
          + " request.\",\"type\":\"server_error\"}}\n\n");
      case TOOL_CALL -> List.of(openAi(base, created, model, new JsonObject().put("tool_calls", new JsonArray()
          .add(new JsonObject().put("index", 0).put("id", "call_1").put("type", "function")
              .put("function", new JsonObject().put("name", "lookup").put("arguments", "{\"q\":")))), null));
      default -> List.of();
    };
  }

  private static String openAi(String id, long created, String model, JsonObject delta, String finish) {
    return "data: " + new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", delta).put("finish_reason", finish))).encode() + "\n\n";
  }

  private List<String> anthropicEvents(String id, String model, String text) {
    List<String> events = new ArrayList<>();
    events.add(anthropic("message_start", new JsonObject().put("type", "message_start").put("message",
        new JsonObject().put("id", "msg_" + id).put("type", "message").put("role", "assistant")
            .put("model", model).put("content", new JsonArray()).put("stop_reason", (String) null)
            .put("usage", new JsonObject().put("input_tokens", 10).put("output_tokens", 1)))));
    events.add(anthropic("content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
        .put("content_block", new JsonObject().put("type", "text").put("text", ""))));
    events.add(anthropic("ping", new JsonObject().put("type", "ping")));
    List<String> pieces = pieces(text);
    for (int i = 0; i < pieces.size(); i++) {
      if (i == breakAfter) {
        events.addAll(anthropicBreak());
        return events;
      }
      events.add(anthropic("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
          .put("delta", new JsonObject().put("type", "text_delta").put("text", pieces.get(i)))));
    }
    events.add(anthropic("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0)));
    events.add(anthropic("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", "end_turn").put("stop_sequence", (String) null))
        .put("usage", new JsonObject().put("output_tokens", pieces.size()))));
    events.add(anthropic("message_stop", new JsonObject().put("type", "message_stop")));
    return events;
  }

  private List<String> anthropicBreak() {
    return switch (how) {
      case ERROR_EVENT -> List.of(anthropic("error", new JsonObject().put("type", "error")
          .put("error", new JsonObject().put("type", "overloaded_error").put("message", "Overloaded"))));
      case TOOL_CALL -> List.of(
          anthropic("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0)),
          anthropic("content_block_start", new JsonObject().put("type", "content_block_start").put("index", 1)
              .put("content_block", new JsonObject().put("type", "tool_use").put("id", "toolu_1")
                  .put("name", "lookup").put("input", new JsonObject()))),
          anthropic("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 1)
              .put("delta", new JsonObject().put("type", "input_json_delta").put("partial_json", "{\"q\":"))));
      default -> List.of();
    };
  }

  private static String anthropic(String event, JsonObject data) {
    return "event: " + event + "\ndata: " + data.encode() + "\n\n";
  }

  private void error(HttpServerRequest request, int status, String message) {
    JsonObject body = anthropic
        ? new JsonObject().put("type", "error").put("error", new JsonObject().put("type", "invalid_request_error")
            .put("message", message))
        : new JsonObject().put("error", new JsonObject().put("message", message).put("type", "invalid_request_error")
            .put("code", "invalid_prefill"));
    request.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
