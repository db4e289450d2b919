package dev.llmproxy.config;

import java.util.Set;

/**
 * The {@code backends[].translation:} block: how a request of the other protocol is rewritten for this backend
 * (docs/translation.md). Read only when a client's protocol differs from the backend's.
 *
 * @param defaultMaxTokens {@code max_tokens} sent to an Anthropic backend when an OpenAI client set no limit
 *     (Anthropic requires one; OpenAI does not)
 * @param maxTokensField the field an OpenAI backend gets an Anthropic client's {@code max_tokens} in:
 *     {@code max_completion_tokens} (current OpenAI API; required by its reasoning models) or {@code max_tokens}
 *     (older OpenAI-compatible servers)
 * @param reasoningEffort whether an Anthropic client's {@code thinking} budget is sent to an OpenAI backend as
 *     {@code reasoning_effort}; off for models that reject the parameter
 */
public record BackendTranslation(int defaultMaxTokens, String maxTokensField, boolean reasoningEffort) {

  public static final BackendTranslation DEFAULTS = new BackendTranslation(4096, "max_completion_tokens", true);
  static final Set<String> KEYS = Set.of("default_max_tokens", "max_tokens_field", "reasoning_effort");
  static final Set<String> MAX_TOKENS_FIELDS = Set.of("max_completion_tokens", "max_tokens");

  static BackendTranslation compile(ConfigNode node) {
    if (node.isMissing()) {
      return DEFAULTS;
    }
    if (!node.isMap()) {
      node.error("must be a mapping, e.g. {default_max_tokens: 8192}");
      return DEFAULTS;
    }
    node.warnUnknownKeys(KEYS);
    long maxTokens = node.get("default_max_tokens").integer(DEFAULTS.defaultMaxTokens());
    if (maxTokens < 1 || maxTokens > 1_000_000) {
      node.get("default_max_tokens").error("must be from 1 to 1000000, got " + maxTokens);
      maxTokens = DEFAULTS.defaultMaxTokens();
    }
    String field = node.get("max_tokens_field").string(DEFAULTS.maxTokensField());
    if (!MAX_TOKENS_FIELDS.contains(field)) {
      node.get("max_tokens_field").error("must be max_completion_tokens or max_tokens, got \"" + field + "\"");
      field = DEFAULTS.maxTokensField();
    }
    return new BackendTranslation((int) maxTokens, field, node.get("reasoning_effort").bool(true));
  }
}
