package dev.llmproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Collects every error and warning of one compile, so an operator sees all problems at once, not one per run. */
final class ConfigProblems {

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> unknownKeys = new ArrayList<>();
  /** The keys each mapping that was read may have, by the mapping's path (ExampleConfigTest reads them). */
  private final Map<String, Set<String>> knownKeys = new TreeMap<>();

  public void error(String path, String message) {
    errors.add(path.isEmpty() ? message : path + ": " + message);
  }

  public void warn(String path, String message) {
    warnings.add(path.isEmpty() ? message : path + ": " + message);
  }

  /** A key nobody reads: a warning, and the likeliest cause of the errors that follow (a typo). */
  public void unknownKey(String path, String message) {
    warn(path, message);
    unknownKeys.add(warnings.get(warnings.size() - 1));
  }

  void knownKeys(String path, Set<String> keys) {
    knownKeys.computeIfAbsent(path, p -> new TreeSet<>()).addAll(keys);
  }

  Map<String, Set<String>> knownKeys() {
    return knownKeys;
  }

  public boolean hasErrors() {
    return !errors.isEmpty();
  }

  public List<String> errors() {
    return List.copyOf(errors);
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The warnings about unknown keys, a subset of {@link #warnings()}. */
  public List<String> unknownKeys() {
    return List.copyOf(unknownKeys);
  }
}
