package dev.llmproxy.prompts;

import dev.llmproxy.config.PromptMode;
import dev.llmproxy.config.SystemPrompt;
import dev.llmproxy.protocol.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Puts a system prompt into a request body, in place. Pure. A body whose shape is not what the protocol
 * specifies (e.g. {@code messages} not a list) is left alone: the provider's own error is the better answer.
 *
 * <ul>
 *   <li>OpenAI chat: merged into the client's first {@code system} (or {@code developer}) message; a new
 *       leading system message only when the client has none. So the merging modes never leave two system
 *       messages where the client had one. {@code replace} drops the client's system messages.
 *   <li>OpenAI Responses: the top-level {@code instructions} (a string), merged per the mode; {@code replace}
 *       sets it and drops the client's {@code system}/{@code developer} messages from {@code input}, as for chat.
 *   <li>Anthropic messages and count_tokens: the top-level {@code system}, a string or a list of text blocks
 *       (blocks are added as a block of their own, so the client's {@code cache_control} marks stay put).
 *   <li>Legacy completions: the prompt text is prefixed, whatever the mode (there is no client system
 *       message to be relative to). Token-array prompts cannot be prefixed with text and are left alone.
 *   <li>Embeddings: nothing.
 * </ul>
 */
final class PromptInjector {

  /** Between our text and the client's, in a merged system text. */
  static final String SEPARATOR = "\n\n";

  private PromptInjector() {}

  /** @return whether the body was changed */
  public static boolean inject(Endpoint endpoint, JsonObject body, SystemPrompt prompt) {
    return switch (endpoint) {
      case CHAT_COMPLETIONS -> chat(body, prompt.text(), prompt.mode());
      case RESPONSES -> responses(body, prompt.text(), prompt.mode());
      case MESSAGES, COUNT_TOKENS -> anthropic(body, prompt.text(), prompt.mode());
      case COMPLETIONS -> completion(body, prompt.text());
      case EMBEDDINGS, OPENAI_OTHER, ANTHROPIC_OTHER, BEDROCK_INVOKE -> false;
    };
  }

  private static boolean chat(JsonObject body, String text, PromptMode mode) {
    if (!(body.getValue("messages") instanceof JsonArray messages)) {
      return false;
    }
    if (mode == PromptMode.REPLACE) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (isSystem(messages.getValue(i))) {
          messages.remove(i);
        }
      }
      messages.getList().add(0, systemMessage(text));
      return true;
    }
    for (int i = 0; i < messages.size(); i++) {
      if (isSystem(messages.getValue(i))) {
        JsonObject message = messages.getJsonObject(i);
        Object merged = merge(message.getValue("content"), text, mode);
        if (merged == null) {
          return false;
        }
        message.put("content", merged);
        return true;
      }
    }
    messages.getList().add(0, systemMessage(text));
    return true;
  }

  private static boolean responses(JsonObject body, String text, PromptMode mode) {
    Object instructions = body.getValue("instructions");
    if (mode == PromptMode.REPLACE) {
      if (body.getValue("input") instanceof JsonArray input) {
        for (int i = input.size() - 1; i >= 0; i--) {
          if (isSystem(input.getValue(i))) {
            input.remove(i);
          }
        }
      }
      body.put("instructions", text);
      return true;
    }
    if (instructions != null && !(instructions instanceof String)) {
      return false;  // not the API's shape: the provider's own error is the better answer
    }
    body.put("instructions", merge(instructions, text, mode));
    return true;
  }

  private static boolean anthropic(JsonObject body, String text, PromptMode mode) {
    Object system = body.getValue("system");
    if (mode == PromptMode.REPLACE) {
      body.put("system", text);
      return true;
    }
    Object merged = merge(system, text, mode);
    if (merged == null) {
      return false;
    }
    body.put("system", merged);
    return true;
  }

  private static boolean completion(JsonObject body, String text) {
    Object prompt = body.getValue("prompt");
    if (prompt instanceof String s) {
      body.put("prompt", text + SEPARATOR + s);
      return true;
    }
    if (prompt instanceof JsonArray list && !list.isEmpty() && list.stream().allMatch(String.class::isInstance)) {
      JsonArray prefixed = new JsonArray();
      list.forEach(p -> prefixed.add(text + SEPARATOR + p));
      body.put("prompt", prefixed);
      return true;
    }
    return false;
  }

  /**
   * The client's system content with ours added per the mode: a string (or nothing) gives a string, a list
   * of content blocks gives the list with one more text block. Null for a shape we do not know.
   */
  private static Object merge(Object content, String text, PromptMode mode) {
    if (content == null || (content instanceof String s && s.isBlank())) {
      return text;
    }
    if (content instanceof String s) {
      return mode == PromptMode.APPEND ? s + SEPARATOR + text : text + SEPARATOR + s;
    }
    if (content instanceof JsonArray blocks) {
      JsonArray out = blocks.copy();
      JsonObject block = new JsonObject().put("type", "text").put("text", text);
      if (mode == PromptMode.APPEND) {
        out.add(block);
      } else {
        out.getList().add(0, block);
      }
      return out;
    }
    return null;
  }

  private static boolean isSystem(Object message) {
    return message instanceof JsonObject m
        && ("system".equals(m.getValue("role")) || "developer".equals(m.getValue("role")));
  }

  private static JsonObject systemMessage(String text) {
    return new JsonObject().put("role", "system").put("content", text);
  }
}
