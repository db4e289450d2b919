package dev.llmproxy.capture;

import dev.llmproxy.capture.store.RequestRow;
import dev.llmproxy.capture.store.SearchText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A store row from a record line as the dataset keeps it: what {@code --explore} needs to index JSONL files into a
 * store that never saw them. The columns and the search text are the ones {@link RecordBuilder} derives when it
 * writes the record, so a re-indexed record is found by the same filters and words. Lines are already masked.
 */
public final class RecordRows {

  private RecordRows() {}

  /** @throws IllegalArgumentException when the line is not a record (not JSON, no id or start time) */
  public static RequestRow of(String line) {
    JsonObject r;
    try {
      r = new JsonObject(line);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String id = r.getString("id");
    String startedAt = r.getString("started_at");
    if (id == null || startedAt == null) {
      throw new IllegalArgumentException("not a capture record (no id or started_at)");
    }
    JsonObject request = object(r.getValue("request"));
    JsonObject response = object(r.getValue("response"));
    JsonObject usage = object(r.getValue("usage"));
    Object answer = response.containsKey("message") ? response.getValue("message") : response.getValue("body");
    Object body = request.getValue("body");
    String error = r.getValue("error") instanceof String s ? s : null;
    String search = SearchText.index(String.join("\n",
        body instanceof JsonObject o ? MessageText.requestText(o) : String.valueOf(body),
        MessageText.answerText(answer), MessageText.answerExtras(answer), error == null ? "" : error));
    return new RequestRow(id, Instant.parse(startedAt).toEpochMilli(), r.getString("trace_id"),
        r.getString("session_id"), r.getString("client_ip"), r.getString("method"), r.getString("endpoint"),
        r.getString("protocol"), r.getString("alias"), r.getString("backend"), r.getString("model"),
        r.getInteger("status", 0), r.getBoolean("stream", false), number(r, "duration_ms"), number(r, "ttfb_ms"),
        number(usage, "prompt_tokens"), number(usage, "completion_tokens"),
        r.getValue("attempts") instanceof JsonArray a ? a.size() : 0, r.getBoolean("fallback", false), error,
        routing(r), search, line);
  }

  /**
   * The list row's routing columns from a (masked) record: names and routes only; each recovery without the
   * body the continuing route was sent, which belongs to the whole record.
   */
  static RequestRow.Routing routing(JsonObject record) {
    String recoveries = null;
    if (record.getValue("recoveries") instanceof JsonArray all) {
      JsonArray summaries = new JsonArray();
      for (Object o : all) {
        if (o instanceof JsonObject recovery) {
          JsonObject summary = new JsonObject();
          recovery.forEach(field -> {
            if (!field.getKey().equals("request_body")) {
              summary.put(field.getKey(), field.getValue());
            }
          });
          summaries.add(summary);
        }
      }
      recoveries = summaries.encode();
    }
    return new RequestRow.Routing(
        record.getValue("routing_rule") instanceof String rule ? rule : null,
        record.getValue("client_key") instanceof String key ? key : null,
        Boolean.TRUE.equals(record.getValue("passthrough")),
        record.getValue("route_protocol") instanceof String protocol ? protocol : null,
        record.getValue("legs") instanceof JsonArray legs ? legs.encode() : null,
        recoveries);
  }

  private static JsonObject object(Object value) {
    return value instanceof JsonObject o ? o : new JsonObject();
  }

  private static long number(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? n.longValue() : -1;
  }
}
