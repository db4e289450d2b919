package dev.llmproxy.observability;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/**
 * Plugs {@link LogMasking} into logstash-logback-encoder's {@code MaskingJsonGeneratorDecorator}: every string
 * value of a JSON log line (message, structured fields, stack trace, dumped header maps) passes through it
 * before it is escaped and written. Registered in {@code logback.xml} and by {@link LogSetup}.
 */
public final class SensitiveValueMasker implements ValueMasker {

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (!(value instanceof CharSequence text)) {
      return null;
    }
    if (context != null && LogMasking.isSensitiveField(context.getCurrentName())) {
      return LogMasking.MASK;
    }
    String s = text.toString();
    String masked = LogMasking.mask(s);
    // null tells the decorator "leave as is", which spares an allocation for the common case.
    return masked.equals(s) ? null : masked;
  }
}
