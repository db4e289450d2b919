package dev.llmproxy.detection;

import java.util.List;

/**
 * What counts as a detected error: listed status codes, and body patterns (checked on error statuses, on 2xx
 * bodies that are error objects, and on stream error events).
 */
public record DetectionRules(List<StatusPattern> errorCodes, List<BodyPattern> errorPatterns) {

  /**
   * Defaults: server errors and rate limits, plus the 4xx that mean "this backend cannot serve" rather than
   * "this request is wrong" (401/403 bad or revoked key, 404 model not deployed there, 408 timeout).
   */
  public static final List<String> DEFAULT_CODES = List.of("401", "403", "404", "408", "429", "5xx");

  /**
   * Provider evidence: OpenAI answers quota exhaustion as 429 {@code insufficient_quota} (and some compatible
   * servers as 200 with an error object); Anthropic streams {@code overloaded_error} as an SSE error event;
   * Azure and others say "rate limit" in prose.
   */
  public static final List<String> DEFAULT_PATTERNS =
      List.of("insufficient_quota", "overloaded_error", "/rate.?limit/", "server_error");

  public DetectionRules {
    errorCodes = List.copyOf(errorCodes);
    errorPatterns = List.copyOf(errorPatterns);
  }

  public static DetectionRules defaults() {
    return new DetectionRules(
        DEFAULT_CODES.stream().map(StatusPattern::parse).toList(),
        DEFAULT_PATTERNS.stream().map(BodyPattern::parse).toList());
  }

  public boolean codeListed(int status) {
    return errorCodes.stream().anyMatch(p -> p.matches(status));
  }

  public boolean bodyMatches(String body) {
    if (body == null || body.isEmpty()) {
      return false;
    }
    String lower = body.toLowerCase(java.util.Locale.ROOT);
    return errorPatterns.stream().anyMatch(p -> p.matches(body, lower));
  }
}
