package dev.llmproxy.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streaming scans of JSON bytes: tokens are read and skipped, never turned into maps and lists, so a scan costs a
 * fraction of a decode and stops as soon as it has what it looks for. Pure functions; thread-safe. A request body
 * is checked by a scan of our own ({@link #topLevel}); an answer's few fields are read with Jackson's streaming
 * parser.
 */
public final class JsonScan {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonScan() {}

  /** A top-level field's value: its JSON type, its bytes {@code [start, end)}, and its text when it is a string. */
  public record Value(JsonToken token, int start, int end, String text) {

    public boolean isString() {
      return token == JsonToken.VALUE_STRING;
    }

    public boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    public boolean isBoolean() {
      return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
    }
  }

  /**
   * The top-level fields of one JSON object, among those asked for. A name given twice in the document counts
   * twice ({@link #count}); its value is the last one, as a decoder keeps it.
   */
  public static final class Fields {
    private final String[] names;
    private final byte[][] nameBytes;
    private final Value[] values;
    private final int[] counts;

    Fields(String[] names) {
      this.names = names;
      this.nameBytes = new byte[names.length][];
      for (int i = 0; i < names.length; i++) {
        nameBytes[i] = names[i].getBytes(StandardCharsets.UTF_8);
      }
      this.values = new Value[names.length];
      this.counts = new int[names.length];
    }

    /** The value of {@code name} (one of the names scanned for), or null when the object has no such field. */
    public Value get(String name) {
      int i = indexOf(name);
      return i < 0 ? null : values[i];
    }

    /** How many times the object names {@code name}. */
    public int count(String name) {
      int i = indexOf(name);
      return i < 0 ? 0 : counts[i];
    }

    int indexOf(String name) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return i;
        }
      }
      return -1;
    }

    /** The wanted name whose UTF-8 bytes are {@code bytes[from, to)}, or -1. */
    int indexOf(byte[] bytes, int from, int to) {
      for (int i = 0; i < nameBytes.length; i++) {
        if (Arrays.equals(nameBytes[i], 0, nameBytes[i].length, bytes, from, to)) {
          return i;
        }
      }
      return -1;
    }

    /** One more occurrence of the wanted name {@code i}; the last one's value counts, as a decoder keeps it. */
    void found(int i, Value value) {
      values[i] = value;
      counts[i]++;
    }
  }

  /** Thrown for bytes that are not one JSON object; the message says where, as a decoder's would. */
  public static final class NotAnObject extends Exception {
    private static final long serialVersionUID = 1L;

    NotAnObject(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Checks that {@code json} is exactly one well-formed JSON object and returns its top-level fields named in
   * {@code names} (with their byte offsets in {@code json}), reading every byte once. Accepts what Jackson's default
   * parser accepts, but for UTF-16/32 bodies ({@link ObjectScanner} lists the rules).
   *
   * @throws NotAnObject when the bytes are not JSON, or JSON but not an object, or followed by more
   */
  public static Fields topLevel(Buffer json, String... names) throws NotAnObject {
    Bytes bytes = Bytes.of(json);
    return ObjectScanner.scan(bytes.array, bytes.offset, bytes.length, new Fields(names));
  }

  /**
   * The raw bytes of one top-level field's value, if {@code json} is an object that has it; reading stops there.
   * Null when the bytes are not an object (or are cut short before the field), or the field is absent.
   *
   * @param limit bytes of {@code json} to read at most
   */
  public static Buffer field(Buffer json, String name, int limit) {
    Bytes bytes = Bytes.of(json);
    try (JsonParser p = FACTORY.createParser(bytes.array, bytes.offset, Math.min(bytes.length, limit))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(p.currentName());
        JsonToken value = p.nextToken();
        if (!wanted) {
          p.skipChildren();
          continue;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        if (value != JsonToken.START_OBJECT && value != JsonToken.START_ARRAY) {
          p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        return json.getBuffer(start, end);
      }
      return null;
    } catch (IOException | RuntimeException notJson) {
      return null;
    }
  }

  /**
   * Whether {@code json} (its first {@code limit} bytes) is an object with a top-level {@code error} that is not
   * null, or a top-level {@code "type": "error"}: the two shapes of a provider's error body (OpenAI, Anthropic).
   * A document cut at the limit is judged on what was read.
   */
  public static boolean isErrorObject(Buffer json, int limit) {
    Bytes bytes = Bytes.of(json);
    try (JsonParser p = FACTORY.createParser(bytes.array, bytes.offset, Math.min(bytes.length, limit))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("error".equals(name) && value != JsonToken.VALUE_NULL) {
          return true;
        }
        if ("type".equals(name) && value == JsonToken.VALUE_STRING && "error".equals(p.getText())) {
          return true;
        }
        p.skipChildren();
      }
      return false;
    } catch (IOException | RuntimeException cutOrNotJson) {
      return false;
    }
  }

  /**
   * Whether {@code bytes} (its first {@code limit} bytes) contain {@code needle}, ASCII, as it is. Eight places at a
   * time: a place is a candidate when two of the needle's bytes are both where they would be, its second and its
   * last but one when it has four or more (a quoted JSON token's quotes are everywhere in JSON, its letters less so).
   */
  public static boolean contains(Buffer bytes, byte[] needle, int limit) {
    Bytes b = Bytes.of(bytes);
    int n = needle.length;
    int end = b.offset + Math.min(b.length, limit);
    int p = n >= 4 ? 1 : 0;
    int q = n - 1 - p;
    long atP = ByteWords.broadcast(needle[p]);
    long atQ = ByteWords.broadcast(needle[q]);
    int i = b.offset;
    for (int lastWord = end - n - ByteWords.SIZE + 1; i <= lastWord; i += ByteWords.SIZE) {
      long candidates = ByteWords.equalTo(ByteWords.load(b.array, i + p), atP)
          & ByteWords.equalTo(ByteWords.load(b.array, i + q), atQ);
      while (candidates != 0) {  // every true candidate is marked; a mark above the first may be false: compare
        int at = i + ByteWords.firstMarked(candidates);
        if (Arrays.equals(b.array, at, at + n, needle, 0, n)) {
          return true;
        }
        candidates &= candidates - 1;
      }
    }
    for (; i <= end - n; i++) {
      if (b.array[i] == needle[0] && Arrays.equals(b.array, i, i + n, needle, 0, n)) {
        return true;
      }
    }
    return false;
  }

  /** A Buffer's bytes as an array slice, without a copy when the buffer is backed by one. */
  private record Bytes(byte[] array, int offset, int length) {

    static Bytes of(Buffer buffer) {
      if (buffer instanceof BufferInternal internal) {
        ByteBuf buf = internal.getByteBuf();
        if (buf.hasArray()) {
          return new Bytes(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
      }
      byte[] copy = buffer.getBytes();
      return new Bytes(copy, 0, copy.length);
    }
  }
}
