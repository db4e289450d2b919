package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.json.TokenValues;
import java.io.IOException;

/**
 * A value a parser stands on, read as the decoded object would give it, and consumed: the scans of the transcript
 * keep the decoded rules ({@code instanceof String}, {@code instanceof Number}, {@code present}) without decoding.
 */
final class JsonValues {

  /** A value a scan does not keep (an object or an array): whoever needs it decodes the event. */
  static final Object CONTAINER = new Object();

  private JsonValues() {}

  /** The text of a string value, else null. */
  static String text(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  /** A number value as the decoder gives it (Integer, Long, BigInteger or Double), else null. */
  static Number number(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getNumberValue();
    }
    p.skipChildren();
    return null;
  }

  /** A scalar as the decoder gives it (String, Number, Boolean or null); {@link #CONTAINER} for the others. */
  static Object scalar(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> {
        p.skipChildren();
        yield CONTAINER;
      }
    };
  }

  /** {@link OpenAiTranscript#present} of the decoded value: not null, and not an empty string or array. */
  static boolean present(JsonParser p, JsonToken value) throws IOException {
    return TokenValues.notEmpty(p, value);
  }

  /** Whether the value is an object (then {@code p} still stands on its start); anything else is skipped. */
  static boolean isObject(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.START_OBJECT) {
      return true;
    }
    p.skipChildren();
    return false;
  }

  /** Whether the value is not JSON null. */
  static boolean notNull(JsonParser p, JsonToken value) throws IOException {
    p.skipChildren();
    return value != JsonToken.VALUE_NULL;
  }
}
