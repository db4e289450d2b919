package dev.llmproxy.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opentest4j.AssertionFailedError;

/**
 * Compares two JSON values field by field and fails naming the first path that differs
 * ({@code messages[2].content[0].tool_use_id}). Numbers compare by value (4096 equals 4096.0 equals 4096L), so a
 * fixture does not need to know which Java type a decoder picked; a missing field and an explicit null differ.
 */
public final class JsonAssert {

  private JsonAssert() {}

  public static void assertJsonEquals(Object expected, Object actual) {
    String difference = difference("$", normalize(expected), normalize(actual));
    if (difference != null) {
      throw new AssertionFailedError(difference + "\nexpected: " + encode(expected) + "\nactual:   " + encode(actual),
          encode(expected), encode(actual));
    }
  }

  private static String encode(Object value) {
    Object v = normalize(value);
    if (v instanceof JsonObject o) {
      return o.encodePrettily();
    }
    return v instanceof JsonArray a ? a.encodePrettily() : String.valueOf(v);
  }

  private static Object normalize(Object value) {
    if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    if (value instanceof List<?> l) {
      return new JsonArray(l);
    }
    return value;
  }

  private static String difference(String path, Object expected, Object actual) {
    expected = normalize(expected);
    actual = normalize(actual);
    if (expected instanceof JsonObject e && actual instanceof JsonObject a) {
      Set<String> keys = new LinkedHashSet<>(e.fieldNames());
      keys.addAll(a.fieldNames());
      for (String key : keys) {
        if (!e.containsKey(key)) {
          return path + "." + key + ": unexpected field, value " + a.getValue(key);
        }
        if (!a.containsKey(key)) {
          return path + "." + key + ": missing, expected " + e.getValue(key);
        }
        String d = difference(path + "." + key, e.getValue(key), a.getValue(key));
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (expected instanceof JsonArray e && actual instanceof JsonArray a) {
      for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
        String d = difference(path + "[" + i + "]", e.getValue(i), a.getValue(i));
        if (d != null) {
          return d;
        }
      }
      return e.size() == a.size() ? null
          : path + ": expected " + e.size() + " elements, got " + a.size();
    }
    if (expected instanceof Number e && actual instanceof Number a) {
      return new BigDecimal(e.toString()).compareTo(new BigDecimal(a.toString())) == 0 ? null
          : path + ": expected " + e + ", got " + a;
    }
    if (expected == null ? actual == null : expected.equals(actual)) {
      return null;
    }
    return path + ": expected " + quote(expected) + ", got " + quote(actual);
  }

  private static String quote(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
