package dev.llmproxy.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON decoding that keeps every number exactly as written. Vert.x's {@code Json.decodeValue} keeps integers
 * exact (Integer, Long, BigInteger) but turns every decimal into a {@code double}: {@code 0.1000000000000000055}
 * loses digits and {@code 1e400} is re-encoded as the string {@code "Infinity"}. Bodies the proxy rebuilds from a
 * provider's answer (translation, demotion) must not alter fields it does not understand, so decimals become
 * {@link java.math.BigDecimal}, which Vert.x encodes back digit for digit.
 */
public final class ExactJson {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private ExactJson() {}

  public static Object decode(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      return decodeAll(parser);
    } catch (IOException e) {
      throw new DecodeException("Failed to decode: " + e.getMessage());
    }
  }

  public static Object decode(Buffer bytes) {
    try (JsonParser parser = FACTORY.createParser(bytes.getBytes())) {
      return decodeAll(parser);
    } catch (IOException e) {
      throw new DecodeException("Failed to decode: " + e.getMessage());
    }
  }

  /** The object the text holds, or null when it is not valid JSON or not an object. */
  public static JsonObject objectOrNull(String text) {
    try {
      return decode(text) instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /** The object the bytes hold, or null when they are not valid JSON or not an object. */
  public static JsonObject objectOrNull(Buffer bytes) {
    try {
      return decode(bytes) instanceof JsonObject o ? o : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private static Object decodeAll(JsonParser parser) throws IOException {
    JsonToken first = parser.nextToken();
    if (first == null) {
      throw new DecodeException("Failed to decode: empty input");
    }
    Object value = wrap(value(parser, first));
    if (parser.nextToken() != null) {
      throw new DecodeException("Failed to decode: trailing content after the JSON value");
    }
    return value;
  }

  private static Object wrap(Object value) {
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

  /** Plain maps and lists inside; JsonObject/JsonArray wrap them lazily on access, as Vert.x itself does. */
  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        JsonToken next;
        while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          map.put(name, value(parser, parser.nextToken()));
        }
        if (next != JsonToken.END_OBJECT) {
          throw new DecodeException("Failed to decode: unexpected " + next);
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (next == null) {
            throw new DecodeException("Failed to decode: unterminated array");
          }
          list.add(value(parser, next));
        }
        return list;
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_NUMBER_INT -> {
        return parser.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return parser.getDecimalValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new DecodeException("Failed to decode: unexpected " + token);
    }
  }
}
