package dev.llmproxy.fallback;

import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.observability.LogMasking;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import dev.llmproxy.routing.RoutePlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What one request's attempts have found so far, across every alias it tried: the plans, failure classes,
 * routes skipped and why, the waits providers asked for, and the provider's own answer when it must be returned as is.
 * Confined to the request's event loop.
 */
final class RequestAttempts {

  /** A provider's complete error answer, kept to return it unchanged (context length with nowhere else to go). */
  record ProviderAnswer(int status, MultiMap headers, Buffer body) {}

  private final Map<String, RoutePlan> plans = new HashMap<>();
  private final List<FailureClass> failures = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<Duration> requestedWaits = new ArrayList<>();
  private ProviderAnswer contextLengthAnswer;
  private boolean contextLengthInCurrentAlias;

  /** One plan per alias per request, so a fallback alias is shuffled once however often it is looked at. */
  RoutePlan plan(String alias, Function<String, RoutePlan> resolve) {
    return plans.computeIfAbsent(alias, resolve);
  }

  void failed(FailureClass failure, Duration retryAfter) {
    failures.add(failure);
    if (retryAfter != null) {
      requestedWaits.add(retryAfter);
    }
    if (failure == FailureClass.CONTEXT_LENGTH) {
      contextLengthInCurrentAlias = true;
    }
  }

  void rateLimitedFor(Duration wait) {
    requestedWaits.add(wait);
  }

  void skipped(String why) {
    skipped.add(why);
  }

  void contextLengthAnswer(ProviderAnswer answer) {
    contextLengthAnswer = answer;
  }

  ProviderAnswer contextLengthAnswer() {
    return contextLengthAnswer;
  }

  /** Whether the alias just exhausted failed (partly) because the prompt was too long. Resets for the next. */
  boolean takeContextLengthFlag() {
    boolean seen = contextLengthInCurrentAlias;
    contextLengthInCurrentAlias = false;
    return seen;
  }

  /** The error for a request none of whose attempts was accepted. */
  ApiError finalError(RequestContext ctx) {
    List<AttemptRecord> attempts = ctx.attempts();
    String alias = ctx.alias().name();
    String skippedText = skipped.isEmpty() ? "" : " Skipped: " + String.join("; ", skipped) + ".";
    if (attempts.isEmpty()) {
      return ApiError.of(ErrorKind.UNSUPPORTED_PROTOCOL,
          "No route of model \"" + alias + "\" can serve this request." + skippedText);
    }
    String trail = attempts.stream().map(AttemptRecord::describe).collect(Collectors.joining("; "));
    // The trail quotes providers' error text, which may echo the backend's own key (e.g. a 401 naming it):
    // masked like a log line, because backend keys never reach clients.
    String message = LogMasking.mask("All " + attempts.size() + " attempt(s) for model \"" + alias + "\" failed: "
        + trail + "." + skippedText);
    if (!failures.isEmpty() && failures.stream().allMatch(f -> f == FailureClass.RATE_LIMITED)) {
      long seconds = requestedWaits.stream().min(Duration::compareTo)
          .map(d -> Math.max(1, (d.toMillis() + 999) / 1000)).orElse(1L);
      return ApiError.of(ErrorKind.RATE_LIMITED, message).withHeaders(Map.of("Retry-After", String.valueOf(seconds)));
    }
    if (!failures.isEmpty() && failures.stream().allMatch(f -> f == FailureClass.TIMEOUT)) {
      return ApiError.of(ErrorKind.UPSTREAM_TIMEOUT, message);
    }
    return ApiError.of(ErrorKind.UPSTREAM_FAILED, message);
  }
}
