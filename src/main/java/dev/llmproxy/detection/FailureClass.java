package dev.llmproxy.detection;

/**
 * Why an attempt failed, in the terms the retry policy acts on. Separate from the error type shown to clients.
 * The policy for each class is in {@code fallback.RetryPolicy} and documented in docs/routing.md.
 */
public enum FailureClass {
  /** 5xx, a listed status or pattern that is not more specific, a reset before headers: may pass if retried. */
  TRANSIENT,
  /** 429, or a rate-limit pattern: wait for the provider's Retry-After if it is short, else cool the route. */
  RATE_LIMITED,
  /** Connection refused, DNS or TLS failure: the route is down; retrying it at once is pointless. */
  UNREACHABLE,
  /** Connect, response-header, first-token or idle timeout: never retried on the same route. */
  TIMEOUT,
  /** The prompt is too long for this model: another model may take it; the route itself is healthy. */
  CONTEXT_LENGTH,
  /** A listed 4xx that says the backend cannot serve (bad key, no such model there, quota): move on and cool. */
  BACKEND_REFUSED,
  /**
   * The route would not continue an answer another route began (mid-stream recovery): e.g. a 400 for the
   * assistant prefill, which Claude 4.6 models and extended thinking reject. The route is healthy; another may
   * take the continuation.
   */
  CONTINUATION_REFUSED;

  /** Whether this failure says the route is unhealthy (and so should be cooled). */
  public boolean coolsRoute() {
    return this != CONTEXT_LENGTH && this != CONTINUATION_REFUSED;
  }
}
