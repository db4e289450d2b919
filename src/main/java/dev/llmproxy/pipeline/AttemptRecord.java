package dev.llmproxy.pipeline;

/** What happened on one try of one candidate; the trail goes into errors, headers and the access log. */
public record AttemptRecord(String alias, String backend, String model, int status, String outcome, long millis) {

  /** Compact form used in error messages: {@code openai/gpt-4o: 503 (server error)}. */
  public String describe() {
    return backend + "/" + model + ": " + (status > 0 ? status + " " : "") + outcome;
  }
}
