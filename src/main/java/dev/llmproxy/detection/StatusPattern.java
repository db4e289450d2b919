package dev.llmproxy.detection;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A status code matcher from the config: exact ({@code 429}), class wildcard ({@code 5xx}) or range ({@code 500-504}). */
public record StatusPattern(String text, int from, int to) {

  private static final Pattern EXACT = Pattern.compile("([1-5]\\d\\d)");
  private static final Pattern CLASS = Pattern.compile("([1-5])xx", Pattern.CASE_INSENSITIVE);
  private static final Pattern RANGE = Pattern.compile("([1-5]\\d\\d)\\s*-\\s*([1-5]\\d\\d)");

  /** @throws IllegalArgumentException naming the accepted forms */
  public static StatusPattern parse(Object raw) {
    String text = String.valueOf(raw).trim();
    Matcher m;
    if ((m = EXACT.matcher(text)).matches()) {
      int code = Integer.parseInt(m.group(1));
      return new StatusPattern(text, code, code);
    }
    if ((m = CLASS.matcher(text)).matches()) {
      int hundreds = Integer.parseInt(m.group(1)) * 100;
      return new StatusPattern(text, hundreds, hundreds + 99);
    }
    if ((m = RANGE.matcher(text)).matches()) {
      int from = Integer.parseInt(m.group(1));
      int to = Integer.parseInt(m.group(2));
      if (from <= to) {
        return new StatusPattern(text, from, to);
      }
    }
    throw new IllegalArgumentException("invalid status pattern \"" + text + "\" (use e.g. 429, 5xx or 500-504)");
  }

  public boolean matches(int status) {
    return status >= from && status <= to;
  }
}
