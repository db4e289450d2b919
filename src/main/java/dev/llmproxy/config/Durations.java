package dev.llmproxy.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the duration notation of the config: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, or bare seconds. */
public final class Durations {

  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private Durations() {}

  /** @throws IllegalArgumentException with a message fit for a config error */
  public static Duration parse(Object raw) {
    if (raw instanceof Number n) {
      return fromSeconds(n.doubleValue(), raw);
    }
    String text = String.valueOf(raw).trim();
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\" (use e.g. 250ms, 10s, 5m, 1h or a number of seconds)");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofNanos(Math.round(amount * 1_000_000d));
      case "m" -> fromSeconds(amount * 60, raw);
      case "h" -> fromSeconds(amount * 3600, raw);
      default -> fromSeconds(amount, raw);
    };
  }

  private static Duration fromSeconds(double seconds, Object raw) {
    if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("invalid duration \"" + raw + "\" (must be zero or positive)");
    }
    return Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
  }

  /** The shortest config notation that reads back to the same value; used when showing the active config. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) return (ms / 3_600_000) + "h";
    if (ms % 60_000 == 0 && ms > 0) return (ms / 60_000) + "m";
    if (ms % 1000 == 0) return (ms / 1000) + "s";
    return ms + "ms";
  }
}
