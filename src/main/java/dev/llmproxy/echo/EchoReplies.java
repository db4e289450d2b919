package dev.llmproxy.echo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Builds the echo backend's answers in each API's exact shape. Pure functions, unit-testable. */
final class EchoReplies {

  private EchoReplies() {}

  /** Longest part of the system prompt quoted in a reply; enough to recognise it. */
  static final int QUOTED_SYSTEM_CHARS = 200;

  /**
   * Why the echo refuses this request, in the words a provider would use, or null when it can answer it. The
   * checks cover what the reply is built from, so a well-formed request can never make the echo throw.
   */
  static String problem(JsonObject request, String path) {
    if (request.containsKey("model") && !(request.getValue("model") instanceof String)) {
      return invalidType("model", "a string", request.getValue("model"));
    }
    if (request.containsKey("stream_options") && request.getValue("stream_options") != null
        && !(request.getValue("stream_options") instanceof JsonObject)) {
      return invalidType("stream_options", "an object", request.getValue("stream_options"));
    }
    if (path.endsWith("/chat/completions") || path.endsWith("/messages") || path.endsWith("/messages/count_tokens")) {
      Object messages = request.getValue("messages");
      if (!(messages instanceof JsonArray list)) {
        return messages == null ? "Missing required parameter: 'messages'."
            : invalidType("messages", "an array of objects", messages);
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject message)) {
          return invalidType("messages[" + i + "]", "an object", list.getValue(i));
        }
        Object content = message.getValue("content");
        if (content != null && !(content instanceof String) && !(content instanceof JsonArray)) {
          return invalidType("messages[" + i + "].content", "a string or an array of content parts", content);
        }
      }
      Object system = request.getValue("system");
      if (system != null && !(system instanceof String) && !(system instanceof JsonArray)) {
        return invalidType("system", "a string or an array of text blocks", system);
      }
    } else if (path.endsWith("/responses")) {
      Object input = request.getValue("input");
      if (input != null && !(input instanceof String) && !(input instanceof JsonArray)) {
        return invalidType("input", "a string or an array of input items", input);
      }
    } else if (path.endsWith("/embeddings") && request.getValue("input") == null) {
      return "Missing required parameter: 'input'.";
    }
    return null;
  }

  private static String invalidType(String param, String expected, Object got) {
    String kind = got instanceof String ? "a string" : got instanceof JsonObject ? "an object"
        : got instanceof JsonArray ? "an array" : got instanceof Boolean ? "a boolean"
        : got instanceof Number ? "a number" : "null";
    return "Invalid type for '" + param + "': expected " + expected + ", but got " + kind + " instead.";
  }

  /**
   * The reply text: the last user message, prefixed so nobody mistakes it for a model's answer, followed by the
   * system prompt the backend received, if any (so an injected prompt can be seen working).
   */
  static String replyText(JsonObject request, boolean anthropic) {
    String last = "";
    JsonArray messages = request.getValue("messages") instanceof JsonArray a ? a : null;
    if (messages != null) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.getValue(i) instanceof JsonObject m && "user".equals(m.getValue("role"))) {
          last = text(m.getValue("content"));
          break;
        }
      }
    } else if (request.getValue("prompt") != null) {
      Object prompt = request.getValue("prompt");
      last = prompt instanceof JsonArray a && !a.isEmpty() ? String.valueOf(a.getValue(0)) : String.valueOf(prompt);
    }
    String system = systemText(request, anthropic);
    return "[echo] " + last + (system.isEmpty() ? "" : " [system prompt: " + quoted(system) + "]");
  }

  /** The system prompt as the backend received it: Anthropic's {@code system}, OpenAI's first system message. */
  static String systemText(JsonObject request, boolean anthropic) {
    if (anthropic) {
      return text(request.getValue("system"));
    }
    if (request.getValue("messages") instanceof JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message
            && ("system".equals(message.getValue("role")) || "developer".equals(message.getValue("role")))) {
          return text(message.getValue("content"));
        }
      }
    }
    return "";
  }

  private static String quoted(String text) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() > QUOTED_SYSTEM_CHARS ? line.substring(0, QUOTED_SYSTEM_CHARS) + "…" : line;
  }

  /** Content as a string, or the text parts of a content array (OpenAI parts, Anthropic blocks). */
  static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder out = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getValue("text") instanceof String text) {
          out.append(out.length() == 0 ? "" : " ").append(text);
        }
      }
      return out.toString();
    }
    return "";
  }

  static int tokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  /** Splits the reply into streaming pieces of one word each (with their following space). */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ' ') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  static JsonObject chatCompletion(String id, String model, String text, int promptTokens) {
    return new JsonObject()
        .put("id", id).put("object", "chat.completion").put("created", now()).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", text))
            .put("finish_reason", "stop")))
        .put("usage", usage(promptTokens, tokens(text)));
  }

  static JsonObject chatChunk(String id, String model, JsonObject delta, String finishReason) {
    return new JsonObject()
        .put("id", id).put("object", "chat.completion.chunk").put("created", now()).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("delta", delta).put("finish_reason", finishReason)));
  }

  static JsonObject completion(String id, String model, String text, int promptTokens, boolean chunk) {
    JsonObject out = new JsonObject()
        .put("id", id).put("object", "text_completion").put("created", now()).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("text", text).put("logprobs", null)
            .put("finish_reason", chunk ? null : "stop")));
    if (!chunk) {
      out.put("usage", usage(promptTokens, tokens(text)));
    }
    return out;
  }

  static JsonObject embeddings(String model, JsonObject request) {
    Object input = request.getValue("input");
    List<String> inputs = new ArrayList<>();
    if (input instanceof JsonArray a) {
      a.forEach(v -> inputs.add(String.valueOf(v)));
    } else {
      inputs.add(String.valueOf(input));
    }
    JsonArray data = new JsonArray();
    int promptTokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", vector(inputs.get(i))));
      promptTokens += tokens(inputs.get(i));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
  }

  /** A deterministic unit vector derived from the text: same text, same vector. */
  static JsonArray vector(String text) {
    java.util.Random random = new java.util.Random(text.hashCode());
    double[] v = new double[8];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextGaussian();
      norm += v[i] * v[i];
    }
    JsonArray out = new JsonArray();
    for (double x : v) {
      out.add(x / Math.sqrt(norm));
    }
    return out;
  }

  static JsonObject anthropicMessage(String id, String model, String text, int inputTokens) {
    return new JsonObject()
        .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", text)))
        .put("stop_reason", "end_turn").put("stop_sequence", null)
        .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", tokens(text)));
  }

  static JsonObject usage(int prompt, int completion) {
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  static int promptTokens(JsonObject request) {
    return tokens(request.encode());
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
