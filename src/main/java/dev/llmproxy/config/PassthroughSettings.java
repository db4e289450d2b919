package dev.llmproxy.config;

/**
 * The {@code passthrough:} section, the transparent mode: which backend receives, unchanged, a request the
 * proxy does not route by alias. OpenAI-protocol requests (no {@code anthropic-version} header) go to
 * {@code openai}, Anthropic ones to {@code anthropic}; Claude Code's Bedrock mode ({@code /model/{id}/invoke…})
 * goes to {@code bedrock}, signed. Each is a backend name, or null when that kind is not passed through.
 */
public record PassthroughSettings(String openai, String anthropic, String bedrock) {

  public static final PassthroughSettings OFF = new PassthroughSettings(null, null, null);

  public boolean enabled() {
    return openai != null || anthropic != null || bedrock != null;
  }
}
