package dev.llmproxy.observability;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import net.logstash.logback.argument.StructuredArgument;

/**
 * One field of the access line, written straight to the JSON generator. {@code StructuredArguments.kv} writes its
 * value through the encoder's {@code ObjectMapper} (a serializer lookup and a provider per value): for the access
 * line's two dozen strings and numbers, per request, that was a few percent of the proxy's CPU
 * (docs/benchmarks.md). The output is the same: the generator is still the masking one, and {@link #toString} is
 * {@code kv}'s {@code key=value} for the message text.
 */
final class AccessField implements StructuredArgument {

  private final String name;
  private final Object value;

  private AccessField(String name, Object value) {
    this.name = name;
    this.value = value;
  }

  static AccessField of(String name, Object value) {
    return new AccessField(name, value);
  }

  @Override
  public void writeTo(JsonGenerator generator) throws IOException {
    generator.writeFieldName(name);
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof String s) {
      generator.writeString(s);
    } else if (value instanceof Integer i) {
      generator.writeNumber(i);
    } else if (value instanceof Long l) {
      generator.writeNumber(l);
    } else if (value instanceof Boolean b) {
      generator.writeBoolean(b);
    } else {
      generator.writeObject(value);
    }
  }

  @Override
  public String toString() {
    return name + "=" + value;
  }
}
