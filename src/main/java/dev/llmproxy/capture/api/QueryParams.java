package dev.llmproxy.capture.api;

import dev.llmproxy.capture.store.RequestFilter;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Locale;

/**
 * The query parameters of the capture store's lists and statistics (docs/capture.md), read one way for
 * {@code /admin/requests} and the web UI's API alike; a bad value is a 400 naming the parameter.
 */
public final class QueryParams {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private final RoutingContext rc;
  private final Clock clock;

  public QueryParams(RoutingContext rc, Clock clock) {
    this.rc = rc;
    this.clock = clock;
  }

  /** The parameter, trimmed; null when absent or blank. */
  public String get(String name) {
    String v = rc.queryParams().get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * The filter of {@code q}, {@code alias}, {@code backend}, {@code model}, {@code status}, {@code session},
   * {@code trace_id}, {@code stream}, {@code since} and {@code until}.
   */
  public RequestFilter filter() {
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

  /** {@code limit}: 1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}. */
  public int limit() {
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

  /** A time parameter ({@link RequestFilter#parseTime}) in epoch milliseconds, or {@code fallback} without it. */
  public long time(String name, long fallback) {
    String text = get(name);
    if (text == null) {
      return fallback;
    }
    try {
      return RequestFilter.parseTime(text, clock);
    } catch (IllegalArgumentException e) {
      throw ApiError.withParam(ErrorKind.INVALID_REQUEST, name + " must be an instant (2025-01-31T12:00:00Z), "
          + "epoch milliseconds, or a duration back from now (15m, 24h); got \"" + text + "\".", name);
    }
  }
}
