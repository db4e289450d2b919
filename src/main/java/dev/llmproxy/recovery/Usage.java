package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
   * What one usage object reports: its integral counts, in its order (a name given twice keeps its first place and
   * its last value, as a decoded object does), and whether the proxy made it ({@value #PARTIAL}).
   */
  record Report(Map<String, Long> counts, boolean madeByProxy) {

    /** The usage object the parser stands on (its start), read to its end without decoding it. */
    static Report scan(JsonParser p) throws IOException {
      Map<String, Long> counts = new LinkedHashMap<>();
      boolean madeByProxy = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        madeByProxy |= name.equals(PARTIAL);
        counts.put(name, value == JsonToken.VALUE_NUMBER_INT ? p.getNumberValue().longValue() : null);
        p.skipChildren();
      }
      counts.values().removeIf(Objects::isNull);
      return new Report(counts, madeByProxy);
    }

    /** A decoded usage object's report (a continuation leg's events are decoded to be rewritten). */
    static Report of(JsonObject usage) {
      return usage == null ? null : new Report(Usage.counts(usage), usage.containsKey(PARTIAL));
    }
  }

  /**
   * The leg being delivered reported these counts; a later report replaces an earlier one, count by count. Totals
   * the proxy made itself (they say {@value #PARTIAL}) are no leg's report and are ignored.
   */
  void reported(Report report) {
    if (report != null && !report.madeByProxy()) {
      report.counts().forEach(leg::put);
    }
  }

  /** {@link #reported(Report)} for a decoded usage object, or null. */
  void reported(JsonObject usage) {
    reported(Report.of(usage));
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
