package dev.llmproxy.recovery;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token counts the legs of one answer reported, in the client's protocol's own names ({@code prompt_tokens},
 * {@code input_tokens}, ...): those of the legs that broke, and those of the leg being delivered. A leg that
 * breaks never reports its final output count, so once one broke the totals the client sees are a lower bound,
 * and say so ({@value #PARTIAL}).
 */
final class Usage {

  /** Added to the usage object the client receives once a leg broke: the counts are a lower bound. */
  static final String PARTIAL = "llm_proxy_partial";

  private final Map<String, Long> earlier = new LinkedHashMap<>();
  private final Map<String, Long> leg = new LinkedHashMap<>();
  private boolean broken;

  /**
   * The leg being delivered reported these counts; a later report replaces an earlier one, count by count. Totals
   * the proxy made itself (they say {@value #PARTIAL}) are no leg's report and are ignored.
   */
  void reported(JsonObject usage) {
    if (usage != null && !usage.containsKey(PARTIAL)) {
      counts(usage).forEach(leg::put);
    }
  }

  /** The leg being delivered broke: what it reported so far counts, and the totals are partial from now on. */
  void legBroke() {
    leg.forEach((key, value) -> earlier.merge(key, value, Long::sum));
    leg.clear();
    broken = true;
  }

  boolean partial() {
    return broken;
  }

  /**
   * The usage object the client receives with the answer's final report: {@code report} with each count replaced
   * by the sum over every leg (this leg's own count from {@code report}, else its earlier report).
   */
  JsonObject totals(JsonObject report) {
    JsonObject out = report == null ? new JsonObject() : report.copy();
    Map<String, Long> legNow = new LinkedHashMap<>(leg);
    legNow.putAll(counts(report));
    Map<String, Long> sums = new LinkedHashMap<>(earlier);
    legNow.forEach((key, value) -> sums.merge(key, value, Long::sum));
    sums.forEach(out::put);
    if (broken) {
      out.put(PARTIAL, true);
    }
    return out;
  }

  private static Map<String, Long> counts(JsonObject usage) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (usage != null) {
      for (Map.Entry<String, Object> e : usage) {
        if (e.getValue() instanceof Number n && !(e.getValue() instanceof Double || e.getValue() instanceof Float)) {
          out.put(e.getKey(), n.longValue());
        }
      }
    }
    return out;
  }
}
