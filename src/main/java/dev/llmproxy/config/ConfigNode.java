package dev.llmproxy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A position in the parsed YAML tree that knows its own path ({@code models["gpt-4"].routes[1]}) and reports
 * type errors against it. Getters return the default after reporting, so one compile finds every problem.
 *
 * <p>It reads the tree vertx-config-yaml's processor makes: mappings are {@link JsonObject}s, except those inside
 * lists, which stay plain {@link Map}s; an unquoted timestamp is an {@link Instant} (a {@link Date} inside a
 * list), read back as text: {@code 2023-06-01} as written, a time of day in ISO-8601 UTC.
 */
final class ConfigNode {

  private final String path;
  private final Object value;
  private final ConfigProblems problems;
  private final EnvExpander env;

  ConfigNode(String path, Object value, ConfigProblems problems, EnvExpander env) {
    this.path = path;
    this.value = plain(value);
    this.problems = problems;
    this.env = env;
  }

  public String path() {
    return path;
  }

  public boolean isMissing() {
    return value == null;
  }

  public boolean isMap() {
    return value instanceof Map;
  }

  /** YAML 1.1 reads unquoted yes/no/on/off as booleans: a name that came out as one was almost surely meant as text. */
  public boolean isBoolean() {
    return value instanceof Boolean;
  }

  public boolean isList() {
    return value instanceof List;
  }

  public ConfigProblems problems() {
    return problems;
  }

  public ConfigNode get(String key) {
    Object child = value instanceof Map<?, ?> m ? m.get(key) : null;
    return new ConfigNode(childPath(key), child, problems, env);
  }

  public boolean has(String key) {
    return value instanceof Map<?, ?> m && m.get(key) != null;
  }

  /**
   * The entries of a mapping whose keys the user names (aliases, per-model rates), in document order; their
   * paths quote the key: {@code models["gpt-4"]}. Reports an error if the node is not a mapping.
   */
  public Map<String, ConfigNode> entries() {
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof Map<?, ?> m)) {
      problems.error(path, "must be a mapping");
      return out;
    }
    m.forEach((k, v) -> out.put(String.valueOf(k), new ConfigNode(namedPath(String.valueOf(k)), v, problems, env)));
    return out;
  }

  public List<ConfigNode> items() {
    List<ConfigNode> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof List<?> l)) {
      problems.error(path, "must be a list");
      return out;
    }
    for (int i = 0; i < l.size(); i++) {
      out.add(new ConfigNode(path + "[" + i + "]", l.get(i), problems, env));
    }
    return out;
  }

  /**
   * Warns about keys nobody reads: almost always a typo that would otherwise silently fall back to a default.
   * A near miss of a known key is named ("did you mean `backends`?"); otherwise the known keys are listed.
   */
  public void warnUnknownKeys(Set<String> known) {
    problems.knownKeys(path, known);
    if (value instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        String key = String.valueOf(k);
        if (!known.contains(key)) {
          String suggestion = KeySuggestions.closest(key, known);
          problems.unknownKey(childPath(key), "unknown key (ignored); " + (suggestion != null
              ? "did you mean `" + suggestion + "`?"
              : "known keys: " + new java.util.TreeSet<>(known)));
        }
      }
    }
  }

  /** The expanded text of a scalar, or {@code null} if absent. An unset variable without default is an error. */
  public String string() {
    EnvExpander.Expansion e = expansion();
    if (e == null) {
      return null;
    }
    if (!e.complete()) {
      problems.error(path, "environment variable " + e.missing() + " is not set (use ${VAR:-default} for optional values)");
    }
    return e.value();
  }

  public String string(String fallback) {
    String s = string();
    return s == null ? fallback : s;
  }

  /** Expansion without judging missing variables; for callers that decide what a missing one means. */
  public EnvExpander.Expansion expansion() {
    if (value == null) {
      return null;
    }
    if (value instanceof Map || value instanceof List) {
      problems.error(path, "must be a single value, not a " + (value instanceof Map ? "mapping" : "list"));
      return null;
    }
    return env.expand(String.valueOf(value));
  }

  public boolean bool(boolean fallback) {
    String s = string();
    if (s == null || s.isEmpty()) {
      return fallback;
    }
    return switch (s.toLowerCase()) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        problems.error(path, "must be true or false, got \"" + s + "\"");
        yield fallback;
      }
    };
  }

  public long integer(long fallback) {
    String s = string();
    if (s == null || s.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      problems.error(path, "must be a whole number, got \"" + s + "\"");
      return fallback;
    }
  }

  public double decimal(double fallback) {
    String s = string();
    if (s == null || s.isEmpty()) {
      return fallback;
    }
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      problems.error(path, "must be a number, got \"" + s + "\"");
      return fallback;
    }
  }

  public Duration duration(Duration fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return value instanceof Number n ? Durations.parse(n) : Durations.parse(string());
    } catch (IllegalArgumentException e) {
      problems.error(path, e.getMessage());
      return fallback;
    }
  }

  /**
   * This node, or the value of environment variable {@code name} when that is set and not empty: the variable
   * beats the file. Problems with the variable's value name both the field and the variable.
   */
  public ConfigNode overriddenBy(String name) {
    String value = env.variable(name);
    if (value == null || value.isEmpty()) {
      return this;
    }
    return new ConfigNode(path + " (from $" + name + ")", value, problems, env);
  }

  public void error(String message) {
    problems.error(path, message);
  }

  public void warn(String message) {
    problems.warn(path, message);
  }

  /** The processor's tree as plain maps, lists and scalars, so every reader below sees one shape. */
  private static Object plain(Object value) {
    if (value instanceof JsonObject json) {
      return json.getMap();
    }
    if (value instanceof JsonArray json) {
      return json.getList();
    }
    if (value instanceof Date date) {
      return plain(date.toInstant());
    }
    if (value instanceof Instant instant) {
      // YAML 1.1 reads `anthropic-version: 2023-06-01` as a timestamp; the user wrote a date.
      var utc = instant.atOffset(ZoneOffset.UTC);
      return utc.toLocalTime().equals(LocalTime.MIDNIGHT) ? utc.toLocalDate().toString() : instant.toString();
    }
    return value;
  }

  private String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String namedPath(String key) {
    return path + "[\"" + key + "\"]";
  }
}
