package dev.llmproxy.detection;

import java.time.Duration;

/**
 * The judgement of one attempt: accepted (relay it to the client — a success, or an error that is not ours to
 * handle), or failed with a class, a reason for logs and errors, and the provider's requested wait if any.
 */
public record Verdict(boolean accepted, FailureClass failure, String reason, Duration retryAfter) {

  private static final Verdict ACCEPT = new Verdict(true, null, "accepted", null);

  public static Verdict accept() {
    return ACCEPT;
  }

  /** Accepted although it is an error: the provider's own answer goes back to the client unchanged. */
  public static Verdict passThrough(String reason) {
    return new Verdict(true, null, reason, null);
  }

  public static Verdict fail(FailureClass failure, String reason) {
    return new Verdict(false, failure, reason, null);
  }

  public static Verdict fail(FailureClass failure, String reason, Duration retryAfter) {
    return new Verdict(false, failure, reason, retryAfter);
  }
}
