package dev.llmproxy.translation;

import dev.llmproxy.config.BackendTranslation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An Anthropic messages request as an OpenAI chat.completions request. OpenAI's rules that Anthropic does not
 * have: the system prompt is a leading {@code system} message; each tool result is its own {@code tool} message
 * right after the assistant message that called the tool (so a user turn's tool results come first and its other
 * blocks follow as a user message); tool messages carry text only (images in a tool result move to that user
 * message). Thinking blocks in the history are dropped: OpenAI has no input field for them and some
 * OpenAI-compatible servers reject their reasoning text when sent back.
 */
final class AnthropicToOpenAiRequest {

  /** Between text blocks folded into one string (system prompt parts, tool results, all-text user turns). */
  static final String JOIN = "\n\n";

  private AnthropicToOpenAiRequest() {}

  static JsonObject translate(JsonObject in, BackendTranslation options) {
    JsonObject out = new JsonObject();
    out.put("model", in.getValue("model"));
    JsonArray messages = new JsonArray();
    String system = systemText(in.getValue("system"));
    if (system != null && !system.isEmpty()) {
      messages.add(new JsonObject().put("role", "system").put("content", system));
    }
    if (!(in.getValue("messages") instanceof JsonArray input)) {
      throw new TranslationException("'messages' must be a list of messages.", "messages");
    }
    for (int i = 0; i < input.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(input.getValue(i) instanceof JsonObject message)) {
        throw new TranslationException(at + " must be an object.", at);
      }
      Object role = message.getValue("role");
      if ("user".equals(role)) {
        user(message.getValue("content"), at + ".content", messages);
      } else if ("assistant".equals(role)) {
        JsonObject assistant = assistant(message.getValue("content"), at + ".content");
        if (assistant != null) {
          messages.add(assistant);
        }
      } else {
        throw new TranslationException("Unknown message role '" + role + "'.", at + ".role");
      }
    }
    out.put("messages", messages);

    if (in.getValue("max_tokens") instanceof Number max) {
      out.put(options.maxTokensField(), max);
    }
    if (in.getValue("stop_sequences") instanceof JsonArray stop && !stop.isEmpty()) {
      out.put("stop", stop.copy());
    }
    copyIfPresent(in, out, "temperature");
    copyIfPresent(in, out, "top_p");
    if (Boolean.TRUE.equals(in.getValue("stream"))) {
      out.put("stream", true);
      // Anthropic always reports usage at the end of a stream; an OpenAI backend only when asked.
      out.put("stream_options", new JsonObject().put("include_usage", true));
    }
    if (in.getValue("metadata") instanceof JsonObject metadata && metadata.getValue("user_id") instanceof String u) {
      out.put("user", u);
    }
    if (options.reasoningEffort() && in.getValue("thinking") instanceof JsonObject thinking) {
      if ("enabled".equals(thinking.getValue("type")) && thinking.getValue("budget_tokens") instanceof Number b) {
        out.put("reasoning_effort", ReasoningBudget.effort(b.longValue()));
      } else if ("adaptive".equals(thinking.getValue("type"))) {
        out.put("reasoning_effort", "medium");
      }
    }
    JsonArray tools = tools(in.getValue("tools"));
    if (tools != null && !tools.isEmpty()) {
      out.put("tools", tools);
      if (in.getValue("tool_choice") instanceof JsonObject choice) {
        toolChoice(choice, out);
      }
    } else if (in.getValue("tool_choice") instanceof JsonObject choice && "none".equals(choice.getValue("type"))) {
      out.put("tool_choice", "none");
    }
    return out;
  }

  private static String systemText(Object system) {
    if (system instanceof String s) {
      return s;
    }
    if (system instanceof JsonArray blocks) {
      List<String> parts = new ArrayList<>();
      for (Object b : blocks) {
        if (b instanceof JsonObject block && block.getValue("text") instanceof String t && !t.isEmpty()) {
          parts.add(t);
        }
      }
      return String.join(JOIN, parts);
    }
    return null;
  }

  /** One Anthropic user turn: its tool results as tool messages, then the rest as one user message. */
  private static void user(Object content, String at, JsonArray messages) {
    if (content instanceof String s) {
      messages.add(new JsonObject().put("role", "user").put("content", s));
      return;
    }
    if (!(content instanceof JsonArray blocks)) {
      throw new TranslationException("'content' must be a string or a list of content blocks.", at);
    }
    JsonArray parts = new JsonArray();
    for (int i = 0; i < blocks.size(); i++) {
      String blockAt = at + "[" + i + "]";
      if (!(blocks.getValue(i) instanceof JsonObject block)) {
        throw new TranslationException("Content blocks must be objects.", blockAt);
      }
      String type = block.getValue("type") instanceof String t ? t : "";
      switch (type) {
        case "tool_result" -> messages.add(toolMessage(block, blockAt, parts));
        case "thinking", "redacted_thinking" -> { }
        default -> {
          JsonObject part = part(block, blockAt);
          if (part != null) {
            parts.add(part);
          }
        }
      }
    }
    if (!parts.isEmpty()) {
      messages.add(new JsonObject().put("role", "user").put("content", collapse(parts)));
    }
  }

  private static JsonObject toolMessage(JsonObject block, String at, JsonArray overflow) {
    Object id = block.getValue("tool_use_id");
    if (!(id instanceof String toolUseId) || toolUseId.isEmpty()) {
      throw new TranslationException("A tool_result needs tool_use_id.", at + ".tool_use_id");
    }
    Object content = block.getValue("content");
    List<String> texts = new ArrayList<>();
    if (content instanceof String s) {
      texts.add(s);
    } else if (content instanceof JsonArray inner) {
      for (int i = 0; i < inner.size(); i++) {
        if (inner.getValue(i) instanceof JsonObject b) {
          if ("text".equals(b.getValue("type"))) {
            texts.add(b.getString("text", ""));
          } else {
            // OpenAI tool messages are text only: images (and documents) go to the user message that follows.
            JsonObject part = part(b, at + ".content[" + i + "]");
            if (part != null) {
              overflow.add(part);
            }
          }
        }
      }
    }
    return new JsonObject().put("role", "tool").put("tool_call_id", toolUseId).put("content", String.join(JOIN, texts));
  }

  private static JsonObject part(JsonObject block, String at) {
    String type = block.getValue("type") instanceof String t ? t : "";
    return switch (type) {
      case "text" -> block.getString("text", "").isEmpty() ? null
          : new JsonObject().put("type", "text").put("text", block.getString("text"));
      case "image" -> image(block, at);
      case "document" -> document(block, at);
      case "search_result" -> new JsonObject().put("type", "text").put("text", searchResultText(block));
      default -> throw new TranslationException("Content block type '" + type
          + "' cannot be sent to an OpenAI backend.", at);
    };
  }

  private static JsonObject image(JsonObject block, String at) {
    JsonObject source = block.getValue("source") instanceof JsonObject s ? s : new JsonObject();
    String url = switch (String.valueOf(source.getValue("type"))) {
      case "base64" -> new DataUrl(source.getString("media_type", "image/png"), source.getString("data", "")).url();
      case "url" -> source.getString("url");
      default -> throw new TranslationException("Image source type '" + source.getValue("type")
          + "' cannot be sent to an OpenAI backend (use base64 or url).", at + ".source");
    };
    return new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url));
  }

  private static JsonObject document(JsonObject block, String at) {
    JsonObject source = block.getValue("source") instanceof JsonObject s ? s : new JsonObject();
    String sourceType = String.valueOf(source.getValue("type"));
    if ("text".equals(sourceType)) {
      return new JsonObject().put("type", "text").put("text", source.getString("data", ""));
    }
    if ("base64".equals(sourceType)) {
      String name = block.getValue("title") instanceof String t && !t.isEmpty() ? t : "document.pdf";
      return new JsonObject().put("type", "file").put("file", new JsonObject()
          .put("filename", name)
          .put("file_data", new DataUrl(source.getString("media_type", "application/pdf"), source.getString("data", ""))
              .url()));
    }
    throw new TranslationException("Document source type '" + sourceType
        + "' cannot be sent to an OpenAI backend (use base64 or text).", at + ".source");
  }

  private static String searchResultText(JsonObject block) {
    StringBuilder out = new StringBuilder();
    out.append(block.getString("title", "")).append(" (").append(block.getString("source", "")).append(")");
    if (block.getValue("content") instanceof JsonArray content) {
      for (Object c : content) {
        if (c instanceof JsonObject b && b.getValue("text") instanceof String t) {
          out.append('\n').append(t);
        }
      }
    }
    return out.toString();
  }

  /** A list of text parts only becomes a string: the widest-supported form among OpenAI-compatible servers. */
  private static Object collapse(JsonArray parts) {
    List<String> texts = new ArrayList<>();
    for (Object p : parts) {
      JsonObject part = (JsonObject) p;
      if (!"text".equals(part.getValue("type"))) {
        return parts;
      }
      texts.add(part.getString("text"));
    }
    return String.join(JOIN, texts);
  }

  private static JsonObject assistant(Object content, String at) {
    if (content instanceof String s) {
      return s.isEmpty() ? null : new JsonObject().put("role", "assistant").put("content", s);
    }
    if (!(content instanceof JsonArray blocks)) {
      throw new TranslationException("'content' must be a string or a list of content blocks.", at);
    }
    StringBuilder text = new StringBuilder();
    JsonArray calls = new JsonArray();
    for (int i = 0; i < blocks.size(); i++) {
      if (!(blocks.getValue(i) instanceof JsonObject block)) {
        continue;
      }
      switch (String.valueOf(block.getValue("type"))) {
        case "text" -> text.append(block.getString("text", ""));
        case "tool_use" -> calls.add(AnthropicToOpenAiResponse.toolCall(block));
        case "thinking", "redacted_thinking" -> { }
        default -> throw new TranslationException("Assistant content block type '" + block.getValue("type")
            + "' cannot be sent to an OpenAI backend.", at + "[" + i + "]");
      }
    }
    if (text.length() == 0 && calls.isEmpty()) {
      return null; // thinking only: nothing OpenAI can take
    }
    JsonObject message = new JsonObject().put("role", "assistant").put("content", text.length() == 0 ? null
        : text.toString());
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    return message;
  }

  private static JsonArray tools(Object value) {
    if (!(value instanceof JsonArray tools)) {
      return null;
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject tool)) {
        throw new TranslationException("A tool must be an object.", at);
      }
      Object type = tool.getValue("type");
      if (type != null && !"custom".equals(type)) {
        throw new TranslationException("Server tool '" + type + "' runs only on Anthropic's side and cannot be "
            + "sent to an OpenAI backend.", at + ".type");
      }
      JsonObject function = new JsonObject().put("name", tool.getValue("name"));
      if (tool.getValue("description") instanceof String d && !d.isEmpty()) {
        function.put("description", d);
      }
      function.put("parameters", tool.getValue("input_schema") instanceof JsonObject schema ? schema.copy()
          : new JsonObject().put("type", "object").put("properties", new JsonObject()));
      out.add(new JsonObject().put("type", "function").put("function", function));
    }
    return out;
  }

  private static void toolChoice(JsonObject choice, JsonObject out) {
    switch (String.valueOf(choice.getValue("type"))) {
      case "any" -> out.put("tool_choice", "required");
      case "tool" -> out.put("tool_choice", new JsonObject().put("type", "function")
          .put("function", new JsonObject().put("name", choice.getValue("name"))));
      case "none" -> out.put("tool_choice", "none");
      default -> out.put("tool_choice", "auto");
    }
    if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
      out.put("parallel_tool_calls", false);
    }
  }

  private static void copyIfPresent(JsonObject in, JsonObject out, String field) {
    if (in.getValue(field) != null) {
      out.put(field, in.getValue(field));
    }
  }
}
