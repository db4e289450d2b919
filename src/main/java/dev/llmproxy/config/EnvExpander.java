package dev.llmproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in config string values. Expansion runs on parsed
 * values, never on the YAML text, so an environment value cannot change the structure of the document.
 */
final class EnvExpander {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Map<String, String> env;

  public EnvExpander(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The outcome of expanding one value: the text, and the variables that were unset and had no default. */
  public record Expansion(String value, List<String> missing) {
    public boolean complete() {
      return missing.isEmpty();
    }
  }

  /** The raw value of one environment variable, or null when unset (for settings that env overrides). */
  public String variable(String name) {
    return env.get(name);
  }

  public Expansion expand(String raw) {
    Matcher m = REFERENCE.matcher(raw);
    StringBuilder out = new StringBuilder();
    List<String> missing = new ArrayList<>();
    while (m.find()) {
      String name = m.group(1);
      String value = env.get(name);
      if (value == null || (value.isEmpty() && m.group(2) != null)) {
        if (m.group(2) != null) {
          value = m.group(3);
        } else if (value == null) {
          missing.add(name);
          value = "";
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return new Expansion(out.toString(), List.copyOf(missing));
  }
}
