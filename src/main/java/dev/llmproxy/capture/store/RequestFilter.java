package dev.llmproxy.capture.store;

import dev.llmproxy.config.Durations;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Which requests a list, an export or a statistic covers. Null fields do not filter.
 *
 * @param q words that must all appear in the request or the answer (see {@link SearchText})
 * @param status an exact status ({@code 429}), a class ({@code 5xx}), or {@code error} (4xx, 5xx, or an error
 *     after the answer started, such as a broken stream)
 * @param since inclusive lower bound of {@code started_at}, epoch millis
 * @param until exclusive upper bound of {@code started_at}, epoch millis
 */
public record RequestFilter(String q, String alias, String backend, String model, String status, String session,
    String traceId, Boolean stream, Long since, Long until) {

  public static final RequestFilter ALL = new RequestFilter(null, null, null, null, null, null, null, null, null,
      null);

  public static RequestFilter window(Long since, Long until, String alias) {
    return new RequestFilter(null, alias, null, null, null, null, null, null, since, until);
  }

  /**
   * A {@code since} or {@code until} as people write it ({@code --export}, the query APIs): an instant
   * ({@code 2025-01-31T12:00:00Z}), epoch milliseconds, or a duration back from now ({@code 15m}, {@code 24h}).
   *
   * @return epoch milliseconds
   * @throws IllegalArgumentException saying what is accepted
   */
  public static long parseTime(String text, Clock clock) {
    try {
      if (text.chars().allMatch(Character::isDigit) && text.length() >= 10) {
        return Long.parseLong(text);
      }
      if (text.contains("T")) {
        return Instant.parse(text).toEpochMilli();
      }
      return Math.subtractExact(clock.millis(), Durations.parse(text).toMillis());
    } catch (DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an instant (2025-01-31T12:00:00Z), epoch "
          + "milliseconds, or a duration back from now (15m, 24h)");
    }
  }
}
