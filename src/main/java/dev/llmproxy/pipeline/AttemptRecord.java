package dev.llmproxy.pipeline;

/** What happened on one try of one candidate; the trail goes into errors, headers and the access log. */
public record AttemptRecord(String alias, String backend, String model, int status, String outcome, long millis) {

  /** Compact form used in error messages: {@code openai/gpt-4o: 503 (server error)}. */
  public String describe() {
    // Outcomes of HTTP answers usually start with their status already ("401 invalid key"): say it once.
    boolean statusSaid = status <= 0 || outcome.startsWith(status + " ") || outcome.equals(String.valueOf(status));
    return backend + "/" + model + ": " + (statusSaid ? "" : status + " ") + outcome;
  }
}
