package dev.llmproxy.ui;

import dev.llmproxy.config.Durations;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import java.time.Duration;
import java.util.List;

/**
 * The span a chart of {@code /ui/api/series} covers ({@code window}) and the width of its buckets. The other
 * parameters of the UI's API are the capture query API's ({@link dev.llmproxy.capture.api.QueryParams}).
 */
final class ChartWindow {

  /** Bucket widths a chart may use; the smallest that keeps a window within {@link #TARGET_BUCKETS}. */
  static final List<Duration> BUCKETS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
      Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
      Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(7));
  static final int TARGET_BUCKETS = 120;
  static final Duration MAX_WINDOW = Duration.ofDays(400);
  static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

  private ChartWindow() {}

  /** {@code window} (a duration; null: 1h), the span a chart covers, ending now; a bad value is a 400. */
  static Duration parse(String text) {
    if (text == null) {
      return DEFAULT_WINDOW;
    }
    try {
      Duration d = Durations.parse(text);
      if (!d.isNegative() && !d.isZero() && d.compareTo(MAX_WINDOW) <= 0) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "window must be a duration from 1s to 9600h (15m, 24h), "
        + "or \"all\"; got \"" + text + "\".", "window");
  }

  /** The bucket width for a chart over {@code span}: at most {@value #TARGET_BUCKETS} buckets where possible. */
  static Duration bucketFor(Duration span) {
    for (Duration b : BUCKETS) {
      if (span.toMillis() / b.toMillis() <= TARGET_BUCKETS) {
        return b;
      }
    }
    return BUCKETS.get(BUCKETS.size() - 1);
  }
}
