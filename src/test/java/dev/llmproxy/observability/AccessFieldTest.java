package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import net.logstash.logback.argument.StructuredArgument;
import org.junit.jupiter.api.Test;

class AccessFieldTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Every kind of value the access line holds, as logstash's kv would write it and as its message shows it. */
  @Test
  void writesWhatKvWrites() throws IOException {
    List<Object> values = Arrays.asList("POST", "a \"quoted\"\nline", 200, 9_000_000_000L, true, null, 1.5);
    for (Object value : values) {
      assertEquals(json(kv("field", value)), json(AccessField.of("field", value)), "value " + value);
      assertEquals(kv("field", value).toString(), AccessField.of("field", value).toString(), "text of " + value);
    }
  }

  private static String json(StructuredArgument argument) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = MAPPER.getFactory().createGenerator(out)) {
      generator.writeStartObject();
      argument.writeTo(generator);
      generator.writeEndObject();
    }
    return out.toString();
  }
}
