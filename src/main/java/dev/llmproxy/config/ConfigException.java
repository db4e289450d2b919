package dev.llmproxy.config;

import java.util.List;

/**
 * A config that cannot be used. The message lists every problem, one per line, each naming its field. The
 * compile's warnings come along: an unknown key (a typo such as {@code backend:} for {@code backends:}) is often
 * the cause of the errors, which then only describe its consequences.
 */
public final class ConfigException extends Exception {

  private final List<String> problems;
  private final List<String> warnings;
  private final List<String> unknownKeys;

  public ConfigException(String source, List<String> problems) {
    this(source, problems, List.of(), List.of());
  }

  /** @param unknownKeys the warnings about unknown keys (also in {@code warnings}) */
  public ConfigException(String source, List<String> problems, List<String> warnings, List<String> unknownKeys) {
    super(source + ": " + (problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  - "
        + String.join("\n  - ", problems)), null, false, false);
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
    this.unknownKeys = List.copyOf(unknownKeys);
  }

  public List<String> problems() {
    return problems;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** The warnings about unknown keys: print them before the errors, they are the likely cause. */
  public List<String> unknownKeys() {
    return unknownKeys;
  }

  /** The warnings that are not about unknown keys (a disabled backend, an ignored prompt file). */
  public List<String> otherWarnings() {
    return warnings.stream().filter(w -> !unknownKeys.contains(w)).toList();
  }
}
