package dev.llmproxy.fallback;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.detection.FailureClass;
import dev.llmproxy.detection.Verdict;
import dev.llmproxy.observability.LogFields;
import dev.llmproxy.observability.LogMasking;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one request's attempts have found so far, across every alias it tried: each attempt (recorded on the
 * request for the access log, metrics and the {@code X-LLM-Proxy-Attempts} header; a failed one also logged),
 * failure classes, routes skipped and why, the waits providers asked for, and the provider's own answer when it
 * must be returned as is. Confined to the request's event loop.
 */
final class AttemptTrail {

  private static final Logger LOG = LoggerFactory.getLogger(AttemptLoop.class);

  private final RequestContext ctx;
  private final List<FailureClass> failures = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<Duration> requestedWaits = new ArrayList<>();
  private Accepted.ProviderError contextLengthAnswer;
  private UnservableRequest firstRefusal;
  private AttemptRecord lastAccepted;
  private Instant lastAcceptedStarted;

  AttemptTrail(RequestContext ctx) {
    this.ctx = ctx;
  }

  /** An attempt whose answer was accepted. */
  void accepted(Candidate route, Attempt.Judged judged, Instant started) {
    lastAccepted = record(route, judged.status(), judged.verdict().reason(), started);
    lastAcceptedStarted = started;
    ctx.recordAttempt(lastAccepted);
  }

  /**
   * The last accepted answer failed after all (a stream broke, a continuation was refused): its "accepted" record
   * is withdrawn, for the failure to take its place. @return when that attempt started
   */
  Instant reopen() {
    List<AttemptRecord> attempts = ctx.attempts();
    if (!attempts.isEmpty() && attempts.get(attempts.size() - 1) == lastAccepted) {
      attempts.remove(attempts.size() - 1);
    }
    return lastAcceptedStarted == null ? ctx.scope().clock().instant() : lastAcceptedStarted;
  }

  /** An attempt that failed, and what the retry policy decided about it. */
  void failed(Candidate route, Attempt.Judged judged, Instant started, RetryPolicy.Decision decision) {
    Verdict verdict = judged.verdict();
    failures.add(verdict.failure());
    if (verdict.retryAfter() != null) {
      requestedWaits.add(verdict.retryAfter());
    }
    ctx.recordAttempt(record(route, judged.status(), verdict.reason(), started));
    ctx.errorReason(verdict.reason());
    LOG.warn("attempt failed", kv(LogFields.TRACE_ID, ctx.traceId()), kv(LogFields.ALIAS, route.alias()),
        kv(LogFields.BACKEND, route.backend().name()), kv(LogFields.MODEL, route.model()),
        kv(LogFields.STATUS, judged.status()), kv(LogFields.STREAM, ctx.stream()),
        kv("failure_class", verdict.failure().name()), kv(LogFields.ERROR, verdict.reason()),
        kv("decision", decision.why()));
  }

  void rateLimitedFor(Duration wait) {
    requestedWaits.add(wait);
  }

  void skipped(String why) {
    skipped.add(why);
  }

  void skipped(Candidate route, String why) {
    skipped.add(route.key() + " (" + why + ")");
  }

  /** A route passed over because it cannot take the request (its preparation refused it). */
  void refused(Candidate route, UnservableRequest refusal) {
    skipped(route, refusal.getMessage());
    if (firstRefusal == null) {
      firstRefusal = refusal;
    }
  }

  /** A route passed over because its circuit is open for {@code left} more. */
  void cooling(Candidate route, Duration left) {
    skipped(route, "cooling down, " + Math.max(1, (left.toMillis() + 999) / 1000) + "s left");
  }

  /** A provider's "prompt too long" answer, returned unchanged if no other alias takes the prompt. */
  void contextLengthAnswer(Accepted.ProviderError answer) {
    contextLengthAnswer = answer;
  }

  Accepted.ProviderError contextLengthAnswer() {
    return contextLengthAnswer;
  }

  /** The error for a request none of whose attempts was accepted. */
  ApiError finalError() {
    List<AttemptRecord> attempts = ctx.attempts();
    String alias = ctx.alias().name();
    String skippedText = skipped.isEmpty() ? "" : " Skipped: " + String.join("; ", skipped) + ".";
    if (attempts.isEmpty()) {
      String message = "No route of model \"" + alias + "\" can serve this request." + skippedText;
      // Something in the request no route could take (e.g. a field the other protocol cannot express): the
      // client's to change, so the error names the field.
      return firstRefusal != null ? ApiError.withParam(ErrorKind.INVALID_REQUEST, message, firstRefusal.param())
          : ApiError.of(ErrorKind.UNSUPPORTED_PROTOCOL, message);
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

  private AttemptRecord record(Candidate c, int status, String outcome, Instant started) {
    long millis = Duration.between(started, ctx.scope().clock().instant()).toMillis();
    return new AttemptRecord(c.alias(), c.backend().name(), c.model(), status, outcome, millis);
  }
}
