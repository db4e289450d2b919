package dev.llmproxy.detection;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Judges one attempt. Pure: same inputs, same verdict. */
public final class FailureClassifier {

  /** Only this much of a body is inspected: error bodies are small, and a huge answer is not an error. */
  static final int INSPECTED_BYTES = 64 * 1024;

  /**
   * Evidence: OpenAI {@code "code": "context_length_exceeded"} ("This model's maximum context length is ...");
   * Anthropic 400 "prompt is too long: N tokens > M maximum"; vLLM/others "maximum context length".
   */
  private static final List<BodyPattern> CONTEXT_LENGTH = List.of(
      BodyPattern.parse("context_length_exceeded"), BodyPattern.parse("maximum context length"),
      BodyPattern.parse("prompt is too long"), BodyPattern.parse("/context (window|length) .{0,40}exceed/"));

  /**
   * Evidence: OpenAI {@code content_policy_violation}; Azure OpenAI {@code content_filter} /
   * {@code ResponsibleAIPolicyViolation}. Another model would refuse too: the client gets the provider's answer.
   */
  private static final List<BodyPattern> CONTENT_POLICY = List.of(
      BodyPattern.parse("content_policy_violation"), BodyPattern.parse("content_filter"),
      BodyPattern.parse("responsibleaipolicyviolation"));

  /** Evidence: OpenAI {@code rate_limit_exceeded}, Anthropic {@code rate_limit_error}, prose "rate limit". */
  private static final BodyPattern RATE_LIMIT = BodyPattern.parse("/rate.?limit/");

  /** Evidence: OpenAI 429 {@code insufficient_quota} means "billing", not "slow down": waiting does not help. */
  private static final BodyPattern QUOTA = BodyPattern.parse("insufficient_quota");

  private FailureClassifier() {}

  /** A complete HTTP answer (non-stream, or a stream request answered with an error status). */
  public static Verdict response(DetectionRules rules, int status, MultiMap headers, Buffer body, Instant now) {
    String text = inspected(body);
    String lower = text.toLowerCase(Locale.ROOT);
    if (status >= 200 && status < 300) {
      if (looksLikeErrorObject(text) && rules.bodyMatches(text)) {
        return Verdict.fail(classOfBody(text, lower, FailureClass.TRANSIENT),
            status + " with an error body: " + summary(text), RetryAfter.from(headers, now).orElse(null));
      }
      return Verdict.accept();
    }
    if (any(CONTEXT_LENGTH, text, lower)) {
      return Verdict.fail(FailureClass.CONTEXT_LENGTH, status + " context length exceeded: " + summary(text));
    }
    if (any(CONTENT_POLICY, text, lower)) {
      return Verdict.passThrough(status + " content policy (returned to the client unchanged)");
    }
    if (!rules.codeListed(status) && !rules.bodyMatches(text)) {
      return Verdict.passThrough(status + " not a detected error (returned to the client unchanged)");
    }
    FailureClass byStatus = status == 429 ? FailureClass.RATE_LIMITED
        : status >= 500 || status == 408 ? FailureClass.TRANSIENT
        : FailureClass.BACKEND_REFUSED;
    FailureClass failure = classOfBody(text, lower, byStatus);
    return Verdict.fail(failure, status + " " + summary(text),
        failure == FailureClass.RATE_LIMITED ? RetryAfter.from(headers, now).orElse(null) : null);
  }

  /** An error event that arrived before any content of a stream. */
  public static Verdict streamError(String eventData) {
    String text = errorOfFailedResponse(eventData == null ? "" : eventData);
    String lower = text.toLowerCase(Locale.ROOT);
    if (any(CONTEXT_LENGTH, text, lower)) {
      return Verdict.fail(FailureClass.CONTEXT_LENGTH, "stream error event: context length exceeded");
    }
    if (any(CONTENT_POLICY, text, lower)) {
      return Verdict.passThrough("stream error event: content policy (returned to the client unchanged)");
    }
    return Verdict.fail(classOfBody(text, lower, FailureClass.TRANSIENT), "stream error event: " + summary(text));
  }

  /**
   * A Responses API {@code response.failed} event carries the whole response — the client's instructions and tools
   * included, whose words must not decide the class — with the failure in {@code response.error}: only that is
   * judged, as {@code {"error": ...}} so the trail shows its message. Any other event is judged whole.
   */
  private static String errorOfFailedResponse(String data) {
    if (!data.contains("response.failed")) {
      return data;
    }
    try {
      JsonObject event = new JsonObject(data);
      if ("response.failed".equals(event.getValue("type")) && event.getValue("response") instanceof JsonObject r
          && r.getValue("error") instanceof JsonObject error) {
        return new JsonObject().put("error", error).encode();
      }
    } catch (RuntimeException notJson) {
      // judged as it is
    }
    return data;
  }

  /**
   * A route answered a continuation of a broken stream (mid-stream recovery) with something other than a stream:
   * typically a 400 for the assistant prefill. Whatever its status, it is no answer to the client's request.
   */
  public static Verdict continuationRefused(Buffer body) {
    return Verdict.fail(FailureClass.CONTINUATION_REFUSED, "continuation refused: " + summary(inspected(body)));
  }

  /** No usable HTTP exchange at all; {@code message} says what happened, for the trail and the logs. */
  public static Verdict transport(TransportFailure failure, String message) {
    FailureClass c = switch (failure) {
      case CONNECT, TLS -> FailureClass.UNREACHABLE;
      case CONNECT_TIMEOUT, HEADER_TIMEOUT, FIRST_TOKEN_TIMEOUT, IDLE_TIMEOUT -> FailureClass.TIMEOUT;
      case RESET -> FailureClass.TRANSIENT;
      case TOO_LARGE, SIGNING -> FailureClass.BACKEND_REFUSED;
    };
    return Verdict.fail(c, message);
  }

  private static FailureClass classOfBody(String text, String lower, FailureClass fallback) {
    if (QUOTA.matches(text, lower)) {
      return FailureClass.BACKEND_REFUSED;
    }
    if (RATE_LIMIT.matches(text, lower)) {
      return FailureClass.RATE_LIMITED;
    }
    return fallback;
  }

  private static boolean any(List<BodyPattern> patterns, String text, String lower) {
    return patterns.stream().anyMatch(p -> p.matches(text, lower));
  }

  /** OpenAI-style {@code {"error": ...}} or Anthropic-style {@code {"type": "error"}} at the top level. */
  static boolean looksLikeErrorObject(String text) {
    String head = text.length() > 512 ? text.substring(0, 512) : text;
    if (!head.stripLeading().startsWith("{") || !head.contains("error")) {
      return false;
    }
    try {
      JsonObject json = new JsonObject(text);
      return json.getValue("error") != null || "error".equals(json.getValue("type"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String inspected(Buffer body) {
    if (body == null) {
      return "";
    }
    Buffer slice = body.length() > INSPECTED_BYTES ? body.getBuffer(0, INSPECTED_BYTES) : body;
    return slice.toString(StandardCharsets.UTF_8);
  }

  /** The provider's error message if the body is a JSON error, else the start of the body; one line, bounded. */
  static String summary(String text) {
    String message = null;
    try {
      JsonObject json = new JsonObject(text);
      Object error = json.getValue("error");
      if (error instanceof JsonObject e) {
        message = e.getString("message", e.encode());
      } else if (error instanceof String s) {
        message = s;
      }
    } catch (RuntimeException notJson) {
      // use the raw text
    }
    String line = (message == null ? text : message).replaceAll("\\s+", " ").trim();
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }
}
