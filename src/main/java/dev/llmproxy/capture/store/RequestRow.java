package dev.llmproxy.capture.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One captured request as the store indexes it: the columns a request table, a filter or a statistic needs,
 * the search text, and the whole record line. Negative numbers mean "not known" and are stored as NULL.
 *
 * @param routing how the request was routed beyond alias, backend and model
 * @param searchText the record's words, lower-cased and space-separated (see {@link SearchText})
 * @param record the record's JSONL line, exactly as written to the dataset; null in list results
 */
public record RequestRow(
    String id,
    long startedAt,
    String traceId,
    String sessionId,
    String clientIp,
    String method,
    String endpoint,
    String protocol,
    String alias,
    String backend,
    String model,
    int status,
    boolean stream,
    long durationMs,
    long ttfbMs,
    long promptTokens,
    long completionTokens,
    int attempts,
    boolean fallback,
    String error,
    Routing routing,
    String searchText,
    String record) {

  /**
   * What a request list shows of the way a request was routed, beside alias, backend and model: the record's
   * fields of the same names. Null where a row does not know (stored before the record had the field).
   *
   * @param routeProtocol the protocol the serving route was called in ({@code request.body} is in it): the
   *     client's, unless the request was translated for the route; null when no route answered
   * @param legs the record's {@code legs}, as JSON text
   * @param recoveries the record's {@code recoveries} without their {@code request_body}, as JSON text
   */
  public record Routing(String routingRule, String clientKey, boolean passthrough, String routeProtocol,
      String legs, String recoveries) {

    /** A row that says nothing about its routing. */
    public static final Routing UNKNOWN = new Routing(null, null, false, null, null, null);
  }

  public RequestRow {
    routing = routing == null ? Routing.UNKNOWN : routing;
  }

  /**
   * The row as the query API lists it and the event bus publishes it: everything a request table shows,
   * without bodies. Documented in docs/capture.md.
   */
  public JsonObject summary() {
    return new JsonObject()
        .put("id", id)
        .put("started_at", Instant.ofEpochMilli(startedAt).toString())
        .put("trace_id", traceId)
        .put("session_id", sessionId)
        .put("client_ip", clientIp)
        .put("method", method)
        .put("endpoint", endpoint)
        .put("protocol", protocol)
        .put("alias", alias)
        .put("backend", backend)
        .put("model", model)
        .put("status", status)
        .put("stream", stream)
        .put("duration_ms", durationMs < 0 ? null : durationMs)
        .put("ttfb_ms", ttfbMs < 0 ? null : ttfbMs)
        .put("prompt_tokens", promptTokens < 0 ? null : promptTokens)
        .put("completion_tokens", completionTokens < 0 ? null : completionTokens)
        .put("attempts", attempts)
        .put("fallback", fallback)
        .put("error", error)
        .put("routing_rule", routing.routingRule())
        .put("client_key", routing.clientKey())
        .put("passthrough", routing.passthrough())
        .put("route_protocol", routing.routeProtocol())
        .put("legs", routing.legs() == null ? null : new JsonArray(routing.legs()))
        .put("recoveries", routing.recoveries() == null ? null : new JsonArray(routing.recoveries()));
  }
}
