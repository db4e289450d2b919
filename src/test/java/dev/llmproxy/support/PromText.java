package dev.llmproxy.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition: sample name plus labels to value. Tests compare two scrapes to check that
 * counters moved by exactly the expected amounts.
 */
public final class PromText {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** name -> (sorted labels -> value) */
  private final Map<String, Map<Map<String, String>, Double>> samples = new LinkedHashMap<>();

  private PromText() {}

  public static PromText parse(String text) {
    PromText out = new PromText();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.samples.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(labels, Double.parseDouble(m.group(4)));
    }
    return out;
  }

  /** The sum of every series of {@code name} whose labels include {@code labels} (k1, v1, k2, v2...); 0 if none. */
  public double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    double sum = 0;
    for (var e : samples.getOrDefault(name, Map.of()).entrySet()) {
      if (e.getKey().entrySet().containsAll(wanted.entrySet())) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  public boolean has(String name) {
    return samples.containsKey(name);
  }

  public Map<Map<String, String>, Double> series(String name) {
    return samples.getOrDefault(name, Map.of());
  }
}
