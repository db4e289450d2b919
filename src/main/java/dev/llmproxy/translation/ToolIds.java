package dev.llmproxy.translation;

import java.util.regex.Pattern;

/**
 * Anthropic accepts tool ids matching {@code ^[a-zA-Z0-9_-]+$}; OpenAI-compatible servers produce ids such as
 * {@code functions.get_weather:0}. The same rewrite is applied to a tool call's id and to the result that answers
 * it, so the pair still matches; OpenAI accepts any string, so Anthropic ids pass unchanged the other way.
 */
final class ToolIds {

  private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-zA-Z0-9_-]");

  private ToolIds() {}

  static String forAnthropic(String id, String fallback) {
    if (id == null || id.isEmpty()) {
      return fallback;
    }
    return NOT_ALLOWED.matcher(id).replaceAll("_");
  }
}
