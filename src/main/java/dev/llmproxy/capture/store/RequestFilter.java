package dev.llmproxy.capture.store;

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
}
