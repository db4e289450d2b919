package dev.llmproxy.echo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Builds the echo backend's answers in each API's exact shape. Pure functions, unit-testable. */
final class EchoReplies {

  private EchoReplies() {}

  /** The reply text: the last user message, prefixed so nobody mistakes it for a model's answer. */
  static String replyText(JsonObject request, boolean anthropic) {
    String last = "";
    JsonArray messages = request.getJsonArray("messages");
    if (messages != null) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        JsonObject m = messages.getJsonObject(i);
        if ("user".equals(m.getString("role"))) {
          last = text(m.getValue("content"));
          break;
        }
      }
    } else if (request.getValue("prompt") != null) {
      Object prompt = request.getValue("prompt");
      last = prompt instanceof JsonArray a && !a.isEmpty() ? String.valueOf(a.getValue(0)) : String.valueOf(prompt);
    }
    return "[echo] " + last;
  }

  /** Content as a string, or the text parts of a content array (OpenAI parts, Anthropic blocks). */
  static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder out = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getString("text") != null) {
          out.append(part.getString("text"));
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
