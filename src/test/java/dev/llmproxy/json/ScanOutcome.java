package dev.llmproxy.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a top-level scan of a document found, comparable between {@link JsonScan#topLevel} and the reference: Jackson's
 * streaming parser walking the same bytes (the scan the proxy used before it had its own).
 */
record ScanOutcome(boolean accepted, List<Field> fields) {

  record Field(String name, JsonToken token, int start, int end, String text, int count) {}

  static final String[] NAMES = {"model", "stream"};
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  static ScanOutcome refused() {
    return new ScanOutcome(false, List.of());
  }

  /** {@link JsonScan#topLevel} on {@code length} bytes of {@code bytes} from {@code offset} (a slice when > 0). */
  static ScanOutcome ours(byte[] bytes, int offset, int length) {
    Buffer whole = Buffer.buffer(bytes);
    Buffer json = offset == 0 && length == bytes.length ? whole : whole.slice(offset, offset + length);
    try {
      JsonScan.Fields found = JsonScan.topLevel(json, NAMES);
      List<Field> fields = new ArrayList<>();
      for (String name : NAMES) {
        JsonScan.Value v = found.get(name);
        if (v != null) {
          fields.add(new Field(name, v.token(), v.start(), v.end(), v.text(), found.count(name)));
        }
      }
      return new ScanOutcome(true, fields);
    } catch (JsonScan.NotAnObject e) {
      return refused();
    }
  }

  static ScanOutcome ours(byte[] bytes) {
    return ours(bytes, 0, bytes.length);
  }

  /**
   * Where Jackson's verdict is not the one to match: bytes it would read as UTF-16 or UTF-32 (a zero byte or a
   * byte order mark at the start), which {@link JsonScan#topLevel} refuses on purpose; and bytes with a 0xFF, never
   * valid in UTF-8 and refused by Jackson too, except in a field name that its symbol table takes for a name it has
   * seen (it pads a name's last 4-byte group with 0xFF bytes, so {@code "stre\xFFam"} after {@code "stream"} is read
   * as {@code stream}, and refused on a fresh parser).
   */
  static boolean refusedUnlikeJackson(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] == (byte) 0xFF) {
        return true;
      }
    }
    if (length < 2) {
      return false;
    }
    int b0 = bytes[offset] & 0xFF;
    int b1 = bytes[offset + 1] & 0xFF;
    return b0 == 0 || b1 == 0 || (b0 == 0xFE && b1 == 0xFF);
  }

  /** Jackson's verdict and offsets, token by token, as {@code JsonScan.topLevel} computed them with Jackson. */
  static ScanOutcome jackson(byte[] bytes, int offset, int length) {
    Field[] fields = new Field[NAMES.length];
    try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return refused();
      }
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        int i = List.of(NAMES).indexOf(name);
        if (i < 0) {
          p.skipChildren();
          continue;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        String text = value == JsonToken.VALUE_STRING ? p.getText() : null;
        p.skipChildren();
        if (value != JsonToken.START_OBJECT && value != JsonToken.START_ARRAY) {
          p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        int count = fields[i] == null ? 1 : fields[i].count() + 1;
        fields[i] = new Field(name, value, start, end, text, count);
      }
      if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
        return refused();
      }
    } catch (IOException | RuntimeException e) {
      return refused();
    }
    List<Field> found = new ArrayList<>();
    for (Field f : fields) {
      if (f != null) {
        found.add(f);
      }
    }
    return new ScanOutcome(true, found);
  }

  static ScanOutcome jackson(byte[] bytes) {
    return jackson(bytes, 0, bytes.length);
  }
}
