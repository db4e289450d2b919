package dev.llmproxy.translation;

import io.vertx.core.json.JsonObject;

/**
 * Token usage between the two shapes. OpenAI's {@code prompt_tokens} counts every prompt token, cached ones
 * included ({@code prompt_tokens_details.cached_tokens}); Anthropic's {@code input_tokens} excludes prompt-cache
 * reads and writes, which it reports apart. Reasoning tokens are part of the output count on both sides.
 */
final class Usages {

  private Usages() {}

  static JsonObject toOpenAi(long input, long cacheRead, long cacheWrite, long output) {
    long prompt = Math.max(0, input) + Math.max(0, cacheRead) + Math.max(0, cacheWrite);
    long completion = Math.max(0, output);
    return new JsonObject()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", Math.max(0, cacheRead)));
  }

  static JsonObject toOpenAi(JsonObject anthropic) {
    if (anthropic == null) {
      return toOpenAi(0, 0, 0, 0);
    }
    return toOpenAi(count(anthropic, "input_tokens"), count(anthropic, "cache_read_input_tokens"),
        count(anthropic, "cache_creation_input_tokens"), count(anthropic, "output_tokens"));
  }

  static JsonObject toAnthropic(JsonObject openAi) {
    JsonObject out = new JsonObject();
    if (openAi == null) {
      return out.put("input_tokens", 0).put("output_tokens", 0);
    }
    long prompt = Math.max(0, count(openAi, "prompt_tokens"));
    long cached = openAi.getValue("prompt_tokens_details") instanceof JsonObject d
        ? Math.max(0, count(d, "cached_tokens")) : 0;
    out.put("input_tokens", Math.max(0, prompt - cached));
    out.put("cache_creation_input_tokens", 0);
    out.put("cache_read_input_tokens", cached);
    out.put("output_tokens", Math.max(0, count(openAi, "completion_tokens")));
    return out;
  }

  static long count(JsonObject usage, String field) {
    return usage.getValue(field) instanceof Number n ? n.longValue() : -1;
  }
}
