package dev.llmproxy.limits;

import dev.llmproxy.config.ConcurrencySettings;
import dev.llmproxy.config.Durations;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import java.util.HashMap;
import java.util.Map;

/** The errors traffic control answers with; each says which limit and when to come back. */
final class LimitErrors {

  static final String RETRY_AFTER = "Retry-After";

  private LimitErrors() {}

  static ApiError rateLimited(RateDecision d) {
    String which = switch (d.limit()) {
      case RateLimiters.PER_IP -> "per-IP limit of " + d.rps() + " requests/s for client " + d.key();
      case RateLimiters.PER_MODEL -> "per-model limit of " + d.rps() + " requests/s for model \"" + d.key() + "\"";
      default -> "global limit of " + d.rps() + " requests/s";
    };
    Map<String, String> headers = new HashMap<>(d.headers());
    headers.put(RETRY_AFTER, String.valueOf(d.retryAfterSeconds()));
    return ApiError.of(ErrorKind.RATE_LIMITED, "Rate limit exceeded (" + d.limit() + "): " + which
        + ". Retry after " + d.retryAfterSeconds() + " s.").withHeaders(headers);
  }

  static ApiError queueFull(ConcurrencySettings s) {
    return ApiError.of(ErrorKind.UNAVAILABLE, "The gateway is at its concurrency limit (" + s.maxRequests()
        + " requests in flight) and its wait queue is full (" + s.maxQueueSize() + "). Retry later.")
        .withHeaders(Map.of(RETRY_AFTER, "1"));
  }

  static ApiError queueTimeout(ConcurrencySettings s) {
    return ApiError.of(ErrorKind.UNAVAILABLE, "No concurrency slot became free within queue_timeout ("
        + Durations.format(s.queueTimeout()) + "; " + s.maxRequests() + " requests in flight). Retry later.")
        .withHeaders(Map.of(RETRY_AFTER, "1"));
  }

  static ApiError backendsBusy(String alias, int limit, java.time.Duration waited) {
    return ApiError.of(ErrorKind.UNAVAILABLE, "Every backend of model \"" + alias + "\" stayed at its"
        + " per_backend_limit (" + limit + " requests in flight) for " + Durations.format(waited) + ". Retry later.")
        .withHeaders(Map.of(RETRY_AFTER, "1"));
  }

  static ApiError clientGone() {
    return ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected while waiting for a concurrency slot");
  }
}
