package dev.llmproxy.translation;

import dev.llmproxy.config.BackendTranslation;
import dev.llmproxy.protocol.ExactJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat.completions request as an Anthropic messages request. Anthropic's rules that OpenAI does not
 * have are enforced here rather than left to a provider 400: one top-level system, user and assistant turns
 * alternating (consecutive messages of a role are merged), tool results first in the next user turn, no empty
 * or whitespace-only text blocks, no trailing whitespace in a final assistant prefill, {@code max_tokens} always
 * set and above the thinking budget.
 */
final class OpenAiToAnthropicRequest {

  /** Fields with no Anthropic counterpart, dropped without comment (docs/translation.md lists them). */
  private OpenAiToAnthropicRequest() {}

  static JsonObject translate(JsonObject in, BackendTranslation options) {
    rejectUnsupported(in);
    JsonObject out = new JsonObject();
    out.put("model", in.getValue("model"));

    List<JsonObject> systemBlocks = new ArrayList<>();
    boolean systemHasOnlyStrings = true;
    Turns turns = new Turns();
    JsonArray messages = in.getValue("messages") instanceof JsonArray a ? a : null;
    if (messages == null) {
      throw new TranslationException("'messages' must be a list of messages.", "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.getValue(i) instanceof JsonObject message)) {
        throw new TranslationException("messages[" + i + "] must be an object.", "messages[" + i + "]");
      }
      String at = "messages[" + i + "]";
      String role = message.getValue("role") instanceof String r ? r : "";
      switch (role) {
        case "system", "developer" -> {
          Object content = message.getValue("content");
          systemHasOnlyStrings &= content instanceof String;
          systemBlocks.addAll(textBlocks(content, at + ".content"));
        }
        case "user" -> turns.add("user", userBlocks(message.getValue("content"), at + ".content"));
        case "assistant" -> turns.add("assistant", assistantBlocks(message, at));
        case "tool" -> turns.add("user", List.of(toolResult(message, at)));
        case "function" -> throw new TranslationException(
            "Legacy 'function' messages cannot be translated; use 'tool' messages with tool_call_id.", at + ".role");
        default -> throw new TranslationException("Unknown message role '" + role + "'.", at + ".role");
      }
    }
    String formatInstruction = responseFormatInstruction(in.getValue("response_format"));
    if (formatInstruction != null) {
      systemBlocks.add(text(formatInstruction));
    }
    if (!systemBlocks.isEmpty()) {
      out.put("system", systemHasOnlyStrings ? joinText(systemBlocks) : new JsonArray(new ArrayList<>(systemBlocks)));
    }
    if (turns.isEmpty()) {
      throw new TranslationException("An Anthropic backend needs at least one user or assistant message with "
          + "content; this request has none besides the system prompt.", "messages");
    }
    out.put("messages", turns.toJson());

    long maxTokens = firstNumber(in, "max_completion_tokens", "max_tokens");
    boolean explicitMax = maxTokens > 0;
    if (!explicitMax) {
      maxTokens = options.defaultMaxTokens();
    }
    JsonObject thinking = thinking(in, turns, messages);
    if (thinking != null) {
      long budget = thinking.getLong("budget_tokens");
      if (budget >= maxTokens) {
        if (explicitMax) {
          // OpenAI's limit includes the reasoning; keep the client's ceiling and think within it.
          budget = maxTokens - 1;
        } else {
          maxTokens = budget + options.defaultMaxTokens();
        }
      }
      if (budget >= ReasoningBudget.MIN_BUDGET) {
        out.put("thinking", new JsonObject().put("type", "enabled").put("budget_tokens", budget));
      } else {
        thinking = null;
      }
    }
    out.put("max_tokens", maxTokens);

    JsonArray stop = stopSequences(in.getValue("stop"));
    if (stop != null && !stop.isEmpty()) {
      out.put("stop_sequences", stop);
    }
    if (thinking == null) {
      // Extended thinking fixes temperature at 1 and forbids top_k/low top_p: sending them would be a 400.
      if (in.getValue("temperature") instanceof Number t) {
        out.put("temperature", Math.min(1.0, Math.max(0.0, t.doubleValue())));
      }
      copyIfPresent(in, out, "top_p");
      copyIfPresent(in, out, "top_k");
    }
    if (Boolean.TRUE.equals(in.getValue("stream"))) {
      out.put("stream", true);
    }
    String user = in.getValue("user") instanceof String u ? u
        : in.getValue("safety_identifier") instanceof String s ? s : null;
    if (user != null && !user.isEmpty()) {
      out.put("metadata", new JsonObject().put("user_id", user));
    }
    JsonArray tools = tools(in.getValue("tools"));
    if (tools != null && !tools.isEmpty()) {
      out.put("tools", tools);
    }
    JsonObject choice = toolChoice(in.getValue("tool_choice"), in.getValue("parallel_tool_calls"));
    if (choice != null && (tools != null && !tools.isEmpty() || "none".equals(choice.getString("type")))) {
      out.put("tool_choice", choice);
    }
    return out;
  }

  private static void rejectUnsupported(JsonObject in) {
    if (in.getValue("n") instanceof Number n && n.intValue() > 1) {
      throw new TranslationException("'n' > 1 is not supported by Anthropic backends.", "n");
    }
    if (in.getValue("functions") != null || in.getValue("function_call") != null) {
      throw new TranslationException("Legacy 'functions'/'function_call' cannot be translated; use 'tools'.",
          "functions");
    }
    if (in.getValue("modalities") instanceof JsonArray m && m.contains("audio")) {
      throw new TranslationException("Audio output is not supported by Anthropic backends.", "modalities");
    }
  }

  private static List<JsonObject> userBlocks(Object content, String at) {
    if (content instanceof String s) {
      return isBlank(s) ? List.of() : List.of(text(s));
    }
    if (!(content instanceof JsonArray parts)) {
      if (content == null) {
        return List.of();
      }
      throw new TranslationException("'content' must be a string or a list of parts.", at);
    }
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      String partAt = at + "[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part)) {
        throw new TranslationException("Content parts must be objects.", partAt);
      }
      String type = part.getValue("type") instanceof String t ? t : "";
      JsonObject block = switch (type) {
        case "text" -> isBlank(part.getString("text")) ? null : text(part.getString("text"));
        case "image_url" -> image(part, partAt);
        case "file" -> document(part, partAt);
        case "input_audio" -> throw new TranslationException("Audio input is not supported by Anthropic backends.",
            partAt);
        default -> throw new TranslationException("Unknown content part type '" + type + "'.", partAt);
      };
      if (block != null) {
        if (part.getValue("cache_control") instanceof JsonObject cache) {
          block.put("cache_control", cache.copy());
        }
        out.add(block);
      }
    }
    return out;
  }

  private static JsonObject image(JsonObject part, String at) {
    Object urlField = part.getValue("image_url");
    String url = urlField instanceof JsonObject o ? o.getString("url") : urlField instanceof String s ? s : null;
    if (url == null || url.isEmpty()) {
      throw new TranslationException("image_url.url is required.", at + ".image_url.url");
    }
    DataUrl data = DataUrl.parse(url);
    JsonObject source = data != null
        ? new JsonObject().put("type", "base64").put("media_type", data.mediaType()).put("data", data.base64())
        : new JsonObject().put("type", "url").put("url", url);
    return new JsonObject().put("type", "image").put("source", source);
  }

  private static JsonObject document(JsonObject part, String at) {
    JsonObject file = part.getValue("file") instanceof JsonObject f ? f : new JsonObject();
    DataUrl data = DataUrl.parse(file.getString("file_data"));
    if (data == null) {
      throw new TranslationException("Only inline files (file.file_data as a base64 data URL) can be sent to an "
          + "Anthropic backend; uploaded file ids cannot.", at + ".file");
    }
    JsonObject block = new JsonObject().put("type", "document").put("source", new JsonObject()
        .put("type", "base64").put("media_type", data.mediaType()).put("data", data.base64()));
    if (file.getValue("filename") instanceof String name && !name.isEmpty()) {
      block.put("title", name);
    }
    return block;
  }

  private static List<JsonObject> assistantBlocks(JsonObject message, String at) {
    List<JsonObject> out = new ArrayList<>();
    // Signed thinking from an earlier Anthropic answer (LiteLLM's `thinking_blocks` convention); unsigned
    // reasoning text cannot be verified by Anthropic and is dropped.
    if (message.getValue("thinking_blocks") instanceof JsonArray thinking) {
      for (Object t : thinking) {
        if (t instanceof JsonObject block && isSignedThinking(block)) {
          out.add(block.copy());
        }
      }
    }
    Object content = message.getValue("content");
    if (content instanceof String s) {
      if (!isBlank(s)) {
        out.add(text(s));
      }
    } else if (content instanceof JsonArray parts) {
      for (Object p : parts) {
        if (p instanceof JsonObject part) {
          String textValue = part.getValue("text") instanceof String t ? t
              : part.getValue("refusal") instanceof String r ? r : null;
          if (!isBlank(textValue)) {
            out.add(text(textValue));
          }
        }
      }
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call) {
          out.add(toolUse(call, at + ".tool_calls[" + i + "]", i));
        }
      }
    }
    return out;
  }

  static boolean isSignedThinking(JsonObject block) {
    return ("thinking".equals(block.getValue("type")) && block.getValue("signature") instanceof String s
        && !s.isEmpty()) || ("redacted_thinking".equals(block.getValue("type")) && block.getValue("data") != null);
  }

  private static JsonObject toolUse(JsonObject call, String at, int index) {
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : null;
    if (function == null || !(function.getValue("name") instanceof String name)) {
      throw new TranslationException("A tool call needs function.name.", at + ".function.name");
    }
    String arguments = function.getValue("arguments") instanceof String a ? a : "";
    JsonObject input;
    if (arguments.isBlank()) {
      input = new JsonObject();
    } else {
      input = ExactJson.objectOrNull(arguments);
      if (input == null) {
        // Anthropic needs an object; keep the model's text rather than silently sending {}.
        input = new JsonObject().put("_unparsed_arguments", arguments);
      }
    }
    return new JsonObject().put("type", "tool_use")
        .put("id", ToolIds.forAnthropic(call.getString("id"), "call_" + index))
        .put("name", name)
        .put("input", input);
  }

  private static JsonObject toolResult(JsonObject message, String at) {
    if (!(message.getValue("tool_call_id") instanceof String id) || id.isEmpty()) {
      throw new TranslationException("A tool message needs tool_call_id.", at + ".tool_call_id");
    }
    JsonObject result = new JsonObject().put("type", "tool_result").put("tool_use_id", ToolIds.forAnthropic(id, id));
    Object content = message.getValue("content");
    if (content instanceof String s) {
      if (!s.isEmpty()) {
        result.put("content", s);
      }
    } else if (content instanceof JsonArray) {
      List<JsonObject> blocks = userBlocks(content, at + ".content");
      if (!blocks.isEmpty()) {
        result.put("content", new JsonArray(new ArrayList<>(blocks)));
      }
    }
    return result;
  }

  private static List<JsonObject> textBlocks(Object content, String at) {
    List<JsonObject> out = new ArrayList<>();
    if (content instanceof String s) {
      if (!isBlank(s)) {
        out.add(text(s));
      }
    } else if (content instanceof JsonArray parts) {
      for (Object p : parts) {
        if (p instanceof JsonObject part && !isBlank(part.getString("text"))) {
          JsonObject block = text(part.getString("text"));
          if (part.getValue("cache_control") instanceof JsonObject cache) {
            block.put("cache_control", cache.copy());
          }
          out.add(block);
        }
      }
    } else if (content != null) {
      throw new TranslationException("'content' must be a string or a list of text parts.", at);
    }
    return out;
  }

  private static JsonObject thinking(JsonObject in, Turns turns, JsonArray messages) {
    int budget = -1;
    if (in.getValue("thinking") instanceof JsonObject given && given.getValue("budget_tokens") instanceof Number b) {
      budget = b.intValue(); // an Anthropic-style field some OpenAI clients send as an extra
    } else if (in.getValue("reasoning_effort") instanceof String effort) {
      budget = ReasoningBudget.budget(effort);
    } else if (in.getValue("reasoning") instanceof JsonObject reasoning
        && reasoning.getValue("effort") instanceof String effort) {
      budget = ReasoningBudget.budget(effort);
    }
    if (budget < 0) {
      return null;
    }
    // Anthropic refuses thinking when a tool is forced, and when the assistant turn being continued used a
    // tool without its signed thinking (which an OpenAI client rarely keeps): think less rather than fail.
    Object choice = in.getValue("tool_choice");
    if ("required".equals(choice) || choice instanceof JsonObject) {
      return null;
    }
    if (turns.lastAssistantUsesToolsWithoutThinking()) {
      return null;
    }
    return new JsonObject().put("type", "enabled").put("budget_tokens", (long) Math.max(budget, 1024));
  }

  private static JsonArray stopSequences(Object stop) {
    JsonArray out = new JsonArray();
    if (stop instanceof String s) {
      if (!s.isBlank()) {
        out.add(s);
      }
    } else if (stop instanceof JsonArray list) {
      for (Object s : list) {
        if (s instanceof String text && !text.isBlank()) {
          out.add(text);
        }
      }
    }
    return out;
  }

  private static JsonArray tools(Object value) {
    if (!(value instanceof JsonArray tools)) {
      return null;
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject tool) || !"function".equals(tool.getValue("type"))
          || !(tool.getValue("function") instanceof JsonObject function)) {
        throw new TranslationException("Only tools of type 'function' can be sent to an Anthropic backend.", at);
      }
      if (!(function.getValue("name") instanceof String name) || name.isEmpty()) {
        throw new TranslationException("A tool needs function.name.", at + ".function.name");
      }
      JsonObject schema = function.getValue("parameters") instanceof JsonObject p ? p.copy()
          : new JsonObject().put("type", "object").put("properties", new JsonObject());
      if (!schema.containsKey("type")) {
        schema.put("type", "object");
      }
      JsonObject converted = new JsonObject().put("name", name);
      if (function.getValue("description") instanceof String d && !d.isEmpty()) {
        converted.put("description", d);
      }
      converted.put("input_schema", schema);
      if (tool.getValue("cache_control") instanceof JsonObject cache) {
        converted.put("cache_control", cache.copy());
      }
      out.add(converted);
    }
    return out;
  }

  private static JsonObject toolChoice(Object choice, Object parallel) {
    JsonObject out = null;
    if (choice instanceof String s) {
      out = switch (s) {
        case "none" -> new JsonObject().put("type", "none");
        case "required" -> new JsonObject().put("type", "any");
        case "auto" -> new JsonObject().put("type", "auto");
        default -> throw new TranslationException("Unknown tool_choice '" + s + "'.", "tool_choice");
      };
    } else if (choice instanceof JsonObject o) {
      Object function = o.getValue("function");
      if (!(function instanceof JsonObject f) || !(f.getValue("name") instanceof String name)) {
        throw new TranslationException("tool_choice must name a function.", "tool_choice.function.name");
      }
      out = new JsonObject().put("type", "tool").put("name", name);
    }
    if (Boolean.FALSE.equals(parallel)) {
      if (out == null) {
        out = new JsonObject().put("type", "auto");
      }
      if (!"none".equals(out.getString("type"))) {
        out.put("disable_parallel_tool_use", true);
      }
    }
    return out;
  }

  private static String responseFormatInstruction(Object format) {
    if (!(format instanceof JsonObject f) || !(f.getValue("type") instanceof String type)) {
      return null;
    }
    return switch (type) {
      case "json_object" -> "Respond with one valid JSON object and nothing else.";
      case "json_schema" -> {
        Object schema = f.getValue("json_schema") instanceof JsonObject js ? js.getValue("schema") : null;
        yield "Respond with one valid JSON object and nothing else. It must match this JSON schema: "
            + (schema == null ? "{}" : schema instanceof JsonObject o ? o.encode() : String.valueOf(schema));
      }
      default -> null;
    };
  }

  private static long firstNumber(JsonObject in, String... fields) {
    for (String field : fields) {
      if (in.getValue(field) instanceof Number n && n.longValue() > 0) {
        return n.longValue();
      }
    }
    return -1;
  }

  private static void copyIfPresent(JsonObject in, JsonObject out, String field) {
    if (in.getValue(field) != null) {
      out.put(field, in.getValue(field));
    }
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static String joinText(List<JsonObject> blocks) {
    StringBuilder out = new StringBuilder();
    for (JsonObject b : blocks) {
      if (out.length() > 0) {
        out.append("\n\n");
      }
      out.append(b.getString("text"));
    }
    return out.toString();
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** Anthropic's alternating turns, built by merging consecutive messages of one role. */
  private static final class Turns {
    private final List<String> roles = new ArrayList<>();
    private final List<List<JsonObject>> blocks = new ArrayList<>();

    void add(String role, List<JsonObject> content) {
      if (content.isEmpty()) {
        return; // an empty message would be a 400; dropping it lets its neighbours merge
      }
      int last = roles.size() - 1;
      if (last >= 0 && roles.get(last).equals(role)) {
        blocks.get(last).addAll(content);
      } else {
        roles.add(role);
        blocks.add(new ArrayList<>(content));
      }
    }

    boolean isEmpty() {
      return roles.isEmpty();
    }

    boolean lastAssistantUsesToolsWithoutThinking() {
      for (int i = roles.size() - 1; i >= 0; i--) {
        if (roles.get(i).equals("assistant")) {
          List<JsonObject> content = blocks.get(i);
          boolean usesTools = content.stream().anyMatch(b -> "tool_use".equals(b.getValue("type")));
          boolean thinks = content.stream().anyMatch(b -> String.valueOf(b.getValue("type")).endsWith("thinking"));
          return usesTools && !thinks;
        }
      }
      return false;
    }

    JsonArray toJson() {
      JsonArray out = new JsonArray();
      for (int i = 0; i < roles.size(); i++) {
        List<JsonObject> content = blocks.get(i);
        if (roles.get(i).equals("user")) {
          // Tool results must open the user turn that follows the tool calls.
          List<JsonObject> ordered = new ArrayList<>();
          content.stream().filter(b -> "tool_result".equals(b.getValue("type"))).forEach(ordered::add);
          content.stream().filter(b -> !"tool_result".equals(b.getValue("type"))).forEach(ordered::add);
          content = ordered;
        } else if (i == roles.size() - 1) {
          trimTrailingWhitespace(content);
        }
        out.add(new JsonObject().put("role", roles.get(i)).put("content", new JsonArray(new ArrayList<>(content))));
      }
      return out;
    }

    /** A final assistant message is a prefill, which Anthropic refuses when it ends in whitespace. */
    private static void trimTrailingWhitespace(List<JsonObject> content) {
      JsonObject last = content.get(content.size() - 1);
      if ("text".equals(last.getValue("type"))) {
        last.put("text", last.getString("text").stripTrailing());
      }
    }
  }
}
