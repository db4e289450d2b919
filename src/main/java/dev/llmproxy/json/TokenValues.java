package dev.llmproxy.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Questions about the value a streaming parser stands on, answered as the decoded value would answer them. */
public final class TokenValues {

  private TokenValues() {}

  /**
   * Whether the value is there and not empty: not null, not an empty string, not an empty array (an object or a
   * number always counts). Consumes the value: the parser is left on its last token.
   */
  public static boolean notEmpty(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_NULL -> false;
      case VALUE_STRING -> p.getTextLength() > 0;
      case START_ARRAY -> {
        boolean any = p.nextToken() != JsonToken.END_ARRAY;
        if (any) {
          p.skipChildren();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
        }
        yield any;
      }
      default -> {
        p.skipChildren();
        yield true;
      }
    };
  }
}
