package dev.llmproxy.detection;

import io.vertx.core.MultiMap;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a provider asks us to wait, from its response headers. Evidence per provider: {@code Retry-After}
 * (seconds or HTTP-date, RFC 9110) from everyone; {@code retry-after-ms} from OpenAI; OpenAI's
 * {@code x-ratelimit-reset-requests/-tokens} as Go durations ({@code 1s}, {@code 6m0s}, {@code 20ms}); Anthropic's
 * {@code anthropic-ratelimit-*-reset} as RFC 3339 instants.
 */
final class RetryAfter {

  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");
  private static final String[] OPENAI_RESETS = {"x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"};
  private static final String[] ANTHROPIC_RESETS = {
      "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-reset",
      "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-reset"};

  private RetryAfter() {}

  public static Optional<Duration> from(MultiMap headers, Instant now) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        return Optional.of(Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(ms.trim())))));
      } catch (NumberFormatException ignored) {
        // fall through to the other headers
      }
    }
    String retryAfter = headers.get("retry-after");
    if (retryAfter != null) {
      Optional<Duration> parsed = retryAfterValue(retryAfter.trim(), now);
      if (parsed.isPresent()) {
        return parsed;
      }
    }
    Duration longest = null;
    for (String name : OPENAI_RESETS) {
      Duration d = goDuration(headers.get(name));
      longest = max(longest, d);
    }
    for (String name : ANTHROPIC_RESETS) {
      String value = headers.get(name);
      if (value != null) {
        try {
          longest = max(longest, nonNegative(Duration.between(now, OffsetDateTime.parse(value.trim()).toInstant())));
        } catch (DateTimeParseException ignored) {
          // not a timestamp: ignore this header
        }
      }
    }
    return Optional.ofNullable(longest);
  }

  static Optional<Duration> retryAfterValue(String value, Instant now) {
    try {
      return Optional.of(Duration.ofMillis(Math.max(0, Math.round(Double.parseDouble(value) * 1000))));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Optional.of(nonNegative(Duration.between(now, at)));
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }

  static Duration goDuration(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Matcher m = GO_DURATION_PART.matcher(value.trim());
    long nanos = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return null;
      }
      double amount = Double.parseDouble(m.group(1));
      nanos += switch (m.group(2)) {
        case "h" -> (long) (amount * 3_600_000_000_000L);
        case "m" -> (long) (amount * 60_000_000_000L);
        case "ms" -> (long) (amount * 1_000_000L);
        default -> (long) (amount * 1_000_000_000L);
      };
      end = m.end();
    }
    return end == value.trim().length() && end > 0 ? Duration.ofNanos(nanos) : null;
  }

  private static Duration max(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
