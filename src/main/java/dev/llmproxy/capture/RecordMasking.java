package dev.llmproxy.capture;

import dev.llmproxy.observability.LogMasking;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Masks a record before it is written anywhere: every string value goes through {@link LogMasking#maskAlways}
 * (the live config's secrets and key-shaped tokens), and fields whose whole value is a credential (header
 * names such as {@code authorization}) are replaced. Value by value rather than on the encoded line, so the
 * masks can never break the JSON. Returns a new tree; the input is not changed.
 */
final class RecordMasking {

  private RecordMasking() {}

  static JsonObject mask(JsonObject in) {
    JsonObject out = new JsonObject(new java.util.LinkedHashMap<>(Math.max(16, in.size() * 2)));
    for (Map.Entry<String, Object> e : in) {
      out.put(e.getKey(), LogMasking.isSensitiveField(e.getKey()) && e.getValue() instanceof String
          ? "****" : value(e.getValue()));
    }
    return out;
  }

  static Object value(Object v) {
    if (v instanceof String s) {
      return LogMasking.maskAlways(s);
    }
    if (v instanceof JsonObject o) {
      return mask(o);
    }
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray(new java.util.ArrayList<>(a.size()));
      for (Object item : a) {
        out.add(value(item));
      }
      return out;
    }
    return v;
  }
}
