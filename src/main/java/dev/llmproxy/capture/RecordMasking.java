package dev.llmproxy.capture;

import dev.llmproxy.observability.LogMasking;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Masks a record before it is written anywhere: every string value goes through {@link LogMasking#maskAlways}
 * (the live config's secrets and key-shaped tokens), and fields whose whole value is a credential (header
 * names such as {@code authorization}) are replaced. Value by value rather than on the encoded line, so the
 * masks can never break the JSON. Copy on write: the input is never changed, and a part with nothing to mask
 * is shared rather than copied (most of a record), which keeps the writer's allocations down.
 */
final class RecordMasking {

  static final String MASK = "****";

  private RecordMasking() {}

  static JsonObject mask(JsonObject in) {
    Object out = value(in);
    return (JsonObject) out;
  }

  /** {@code v} itself when nothing in it needs masking, else a masked copy. */
  static Object value(Object v) {
    if (v instanceof String s) {
      return LogMasking.maskAlways(s);
    }
    if (v instanceof JsonObject o) {
      Map<String, Object> copy = null;
      Map<String, Object> map = o.getMap();
      int i = 0;
      for (Map.Entry<String, Object> e : map.entrySet()) {
        Object before = wrap(e.getValue());
        Object after = LogMasking.isSensitiveField(e.getKey()) && before instanceof String ? MASK : value(before);
        if (copy == null && after != before) {
          copy = new LinkedHashMap<>(Math.max(16, map.size() * 2));
          int j = 0;
          for (Map.Entry<String, Object> earlier : map.entrySet()) {
            if (j++ == i) {
              break;
            }
            copy.put(earlier.getKey(), earlier.getValue());
          }
        }
        if (copy != null) {
          copy.put(e.getKey(), after);
        }
        i++;
      }
      return copy == null ? o : new JsonObject(copy);
    }
    if (v instanceof JsonArray a) {
      List<Object> list = a.getList();
      List<Object> copy = null;
      for (int i = 0; i < list.size(); i++) {
        Object before = wrap(list.get(i));
        Object after = value(before);
        if (copy == null && after != before) {
          copy = new ArrayList<>(list.subList(0, i));
        }
        if (copy != null) {
          copy.add(after);
        }
      }
      return copy == null ? a : new JsonArray(copy);
    }
    return v;
  }

  /** Vert.x JSON may hold plain maps and lists inside; treat them as the JSON types they stand for. */
  @SuppressWarnings("unchecked")
  private static Object wrap(Object v) {
    if (v instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    if (v instanceof List<?> l) {
      return new JsonArray((List<Object>) l);
    }
    return v;
  }
}
