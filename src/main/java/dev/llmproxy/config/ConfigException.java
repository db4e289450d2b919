package dev.llmproxy.config;

import java.util.List;

/** A config that cannot be used. The message lists every problem, one per line, each naming its field. */
public final class ConfigException extends Exception {

  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(source + ": " + (problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  - "
        + String.join("\n  - ", problems)), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
