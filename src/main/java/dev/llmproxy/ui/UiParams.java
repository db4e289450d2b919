package dev.llmproxy.ui;

import dev.llmproxy.capture.store.RequestFilter;
import dev.llmproxy.config.Durations;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Query parameters of the UI's API, read the way {@code /admin/requests} reads them (docs/capture.md) so the
 * two APIs filter alike; a bad value is a 400 naming the parameter.
 */
final class UiParams {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  /** Bucket widths a chart may use; the smallest that keeps a window within {@link #TARGET_BUCKETS}. */
  static final List<Duration> BUCKETS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30),
      Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2),
      Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(7));
  static final int TARGET_BUCKETS = 120;
  static final Duration MAX_WINDOW = Duration.ofDays(400);

  private final RoutingContext rc;
  private final Clock clock;

  UiParams(RoutingContext rc, Clock clock) {
    this.rc = rc;
    this.clock = clock;
  }

  String get(String name) {
    String v = rc.queryParams().get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  RequestFilter filter() {
    String stream = get("stream");
    Boolean streamFilter = null;
    if (stream != null) {
      switch (stream.toLowerCase(Locale.ROOT)) {
        case "true" -> streamFilter = true;
        case "false" -> streamFilter = false;
        default -> throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "stream must be true or false.", "stream");
      }
    }
    String status = get("status");
    if (status != null && !status.matches("(?i)error|[1-5]xx|[1-5][0-9][0-9]")) {
      throw ApiError.withParam(ErrorKind.INVALID_REQUEST,
          "status must be a code (429), a class (5xx) or \"error\".", "status");
    }
    Long since = get("since") == null ? null : time("since", 0);
    Long until = get("until") == null ? null : time("until", 0);
    return new RequestFilter(get("q"), get("alias"), get("backend"), get("model"), status, get("session"),
        get("trace_id"), streamFilter, since, until);
  }

  int limit() {
    String text = get("limit");
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "limit must be a whole number from 1 to " + MAX_LIMIT + ".",
        "limit");
  }

  /** An instant (2025-01-31T12:00:00Z), epoch milliseconds, or a duration back from now (15m, 24h). */
  long time(String name, long fallback) {
    String text = get(name);
    if (text == null) {
      return fallback;
    }
    try {
      if (text.chars().allMatch(Character::isDigit) && text.length() >= 10) {
        return Long.parseLong(text);
      }
      if (text.contains("T")) {
        return Instant.parse(text).toEpochMilli();
      }
      return clock.millis() - Durations.parse(text).toMillis();
    } catch (DateTimeParseException | IllegalArgumentException | ArithmeticException e) {
      throw ApiError.withParam(ErrorKind.INVALID_REQUEST, name + " must be an instant (2025-01-31T12:00:00Z), "
          + "epoch milliseconds, or a duration back from now (15m, 24h); got \"" + text + "\".", name);
    }
  }

  /** {@code window} (a duration, default 1h): the span a chart covers, ending now. */
  Duration window() {
    String text = get("window");
    if (text == null) {
      return Duration.ofHours(1);
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
