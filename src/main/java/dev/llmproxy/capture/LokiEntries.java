package dev.llmproxy.capture;

import dev.llmproxy.capture.loki.LokiPusher;
import dev.llmproxy.config.CaptureSettings;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records as Loki entries. The line is the record's JSONL line (so {@code | json} in LogQL reaches trace_id,
 * session_id and every other field). Labels are the configured static ones plus {@code alias}, {@code backend},
 * {@code status_class} and {@code protocol}: config names and small enums, never per-request values, so the
 * number of Loki streams stays bounded. A line over {@code max_line_bytes} is sent without its bodies.
 */
final class LokiEntries {

  private LokiEntries() {}

  static List<LokiPusher.Entry> of(List<CaptureRecord> records, CaptureSettings.Loki settings) {
    List<LokiPusher.Entry> out = new ArrayList<>(records.size());
    for (CaptureRecord r : records) {
      Map<String, String> labels = new LinkedHashMap<>(settings.labels());
      labels.put("alias", orNone(r.row().alias()));
      labels.put("backend", orNone(r.row().backend()));
      labels.put("status_class", r.statusClass());
      labels.put("protocol", orNone(r.row().protocol()));
      out.add(new LokiPusher.Entry(labels, r.row().startedAt(), line(r.line(), settings.maxLineBytes())));
    }
    return out;
  }

  static String line(String line, long maxBytes) {
    if (line.length() * 3L <= maxBytes || line.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
      return line;
    }
    JsonObject record = new JsonObject(line);
    JsonObject request = record.getJsonObject("request");
    if (request != null) {
      request.remove("body");
      request.remove("headers");
    }
    JsonObject response = record.getJsonObject("response");
    if (response != null) {
      response.remove("body");
      response.remove("message");
      response.remove("events");
    }
    record.put("loki_bodies_omitted", true);
    String reduced = record.encode();
    if (reduced.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      // Still too long (a huge system prompt or answer text): keep the identifying fields only.
      JsonObject minimal = new JsonObject();
      for (String field : new String[] {"v", "id", "trace_id", "session_id", "started_at", "duration_ms", "alias",
          "backend", "model", "status", "stream", "error"}) {
        minimal.put(field, record.getValue(field));
      }
      reduced = minimal.put("loki_bodies_omitted", true).encode();
    }
    return reduced;
  }

  private static String orNone(String s) {
    return s == null ? "none" : s;
  }
}
