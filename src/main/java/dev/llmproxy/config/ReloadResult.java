package dev.llmproxy.config;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one reload attempt.
 *
 * @param trigger what asked for it: {@code watch}, {@code SIGHUP}, {@code admin}, ...
 * @param version the version serving afterwards (the new one if applied, the old one otherwise)
 * @param configChecksum SHA-256 of the config file content that was judged
 * @param promptsChecksum digest of the prompt directory content that was judged
 * @param diff what changed; null unless applied
 * @param problems why it was refused; empty unless rejected
 */
public record ReloadResult(
    Outcome outcome,
    String trigger,
    Instant at,
    long version,
    String configChecksum,
    String promptsChecksum,
    ConfigDiff diff,
    List<String> problems) {

  public enum Outcome {
    /** Valid and swapped in. */
    APPLIED,
    /** Invalid: the previous snapshot keeps serving. */
    REJECTED,
    /** A watch check found nothing new (or files still being written); nothing was done. */
    UNCHANGED
  }

  public ReloadResult {
    problems = List.copyOf(problems);
  }

  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }
}
