package dev.llmproxy.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The validating scan behind {@link JsonScan#topLevel}: one pass over the bytes that accepts what Jackson's default
 * parser accepts as one JSON object, and notes the top-level fields asked for with their byte offsets. Hand-written
 * because a request body is mostly string content, which this scan crosses up to thirty-two bytes per test
 * ({@link ByteWords}) where Jackson looks at every byte ({@code bench/BodyScanMicroBench.java}, per megabyte): a
 * plain ASCII prompt in 0.7 of Jackson's time, a coding agent's files as tool results in 0.65, CJK text in 0.55
 * (a run of UTF-8 sequences is checked without going back to words); the worst case, text with an escape every
 * few bytes (JSON escaped inside a string), takes 1.5 times Jackson's.
 *
 * <p>What "what Jackson accepts" means here (jackson-core 2.18, default features; the differential test
 * {@code ObjectScannerDifferentialTest} holds the two together):
 * <ul>
 *   <li>RFC 8259 grammar: no comments, no single quotes, no trailing commas, no leading zeros, {@code NaN} or
 *       {@code +1}; whitespace is space, tab, CR and LF; escapes are {@code \" \\ \/ \b \f \n \r \t \\uXXXX}
 *       (a lone surrogate escape is accepted); control bytes below 0x20 are refused inside strings;</li>
 *   <li>UTF-8 checked as Jackson checks it: a lead byte's class (0xC0-0xDF two bytes, 0xE0-0xEF three, 0xF0-0xF7
 *       four; 0x80-0xBF and 0xF8-0xFF refused) and that its continuation bytes are 0x80-0xBF. Like Jackson, it does
 *       not refuse overlong forms, encoded surrogates or code points above U+10FFFF;</li>
 *   <li>Jackson's default {@link StreamReadConstraints}: nesting depth, number length (digits), name length
 *       (bytes, escapes decoded) and, for the one string value it decodes (a wanted field's), string length;</li>
 *   <li>a UTF-8 byte order mark before the object is skipped.</li>
 * </ul>
 * Stricter than Jackson, on purpose: a UTF-16 or UTF-32 body (Jackson detects those from zero bytes or a byte
 * order mark at the start) is refused, since the proxy forwards and edits the body's bytes as UTF-8 and RFC 8259
 * requires UTF-8 between systems; and a 0xFF byte in a field name always is (Jackson's symbol table pads names
 * with 0xFF bytes, so it can take such a name for one it has seen, and then accepts it). Not replicated: Jackson's
 * guard against floods of field names crafted to collide in its symbol table (a body this scan accepts for that
 * reason still fails when a stage decodes it).
 */
final class ObjectScanner {

  private static final StreamReadConstraints LIMITS = StreamReadConstraints.defaults();
  static final int MAX_DEPTH = LIMITS.getMaxNestingDepth();
  static final int MAX_NUMBER_LENGTH = LIMITS.getMaxNumberLength();
  static final int MAX_NAME_LENGTH = LIMITS.getMaxNameLength();
  static final int MAX_STRING_LENGTH = LIMITS.getMaxStringLength();

  /** Decodes the rare name or string value with escapes or non-ASCII bytes, so its text is exactly Jackson's. */
  private static final JsonFactory DECODER = JsonFactory.builder().build();

  /** The escapes of one letter after the backslash: {@code " \\ / b f n r t}. */
  private static final boolean[] SHORT_ESCAPES = new boolean[128];

  static {
    for (char c : new char[] {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'}) {
      SHORT_ESCAPES[c] = true;
    }
  }

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private final byte[] bytes;
  private final int start;
  private final int end;
  /** Bit d is set when the container at depth d is an object; allocated at the first nested container. */
  private long[] objects;

  /** Bytes a string scan judges per test. */
  private static final int BLOCK = 4 * ByteWords.SIZE;

  private ObjectScanner(byte[] bytes, int start, int end) {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
  }

  /** Scans {@code length} bytes of {@code bytes} from {@code offset}; offsets in {@code fields} are from there. */
  static JsonScan.Fields scan(byte[] bytes, int offset, int length, JsonScan.Fields fields)
      throws JsonScan.NotAnObject {
    return new ObjectScanner(bytes, offset, offset + length).topLevel(fields);
  }

  private JsonScan.Fields topLevel(JsonScan.Fields fields) throws JsonScan.NotAnObject {
    if (looksUtf16Or32()) {
      throw new JsonScan.NotAnObject("the body is UTF-16 or UTF-32; JSON requests must be UTF-8");
    }
    int i = start;
    if (end - start >= 4 && bytes[i] == (byte) 0xEF && bytes[i + 1] == (byte) 0xBB && bytes[i + 2] == (byte) 0xBF) {
      i += 3;  // Jackson skips a UTF-8 byte order mark (it looks for one when there are at least 4 bytes)
    }
    i = skipWhitespace(i);
    if (i >= end || bytes[i] != '{') {
      throw new JsonScan.NotAnObject("not a JSON object");
    }
    i = skipWhitespace(i + 1);
    if (i < end && bytes[i] == '}') {
      i++;
    } else {
      while (true) {
        int name = expect(i, '"', "a field name");
        i = skipName(name + 1);
        int wanted = wantedIndex(fields, name, i);
        i = skipWhitespace(expect(skipWhitespace(i), ':', "':'") + 1);
        int value = i;
        i = skipValue(i);
        if (wanted >= 0) {
          fields.found(wanted, value(value, i));
        }
        i = skipWhitespace(i);
        if (i < end && bytes[i] == ',') {
          i = skipWhitespace(i + 1);
        } else if (i < end && bytes[i] == '}') {
          i++;
          break;
        } else {
          throw unexpected(i, "',' or '}'");
        }
      }
    }
    i = skipWhitespace(i);
    if (i != end) {
      throw new JsonScan.NotAnObject("unexpected content after the object at byte " + (i - start));
    }
    return fields;
  }

  /**
   * What Jackson reads as UTF-16 or UTF-32: a zero byte among the first two, or their byte order marks; never the
   * start of a JSON object in UTF-8.
   */
  private boolean looksUtf16Or32() {
    if (end - start < 2) {
      return false;
    }
    int b0 = bytes[start] & 0xFF;
    int b1 = bytes[start + 1] & 0xFF;
    return b0 == 0 || b1 == 0 || (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE);
  }

  /** A top-level field's value, {@code [from, to)}: its type, its offsets, and its text when it is a string. */
  private JsonScan.Value value(int from, int to) throws JsonScan.NotAnObject {
    JsonToken token = switch (bytes[from]) {
      case '"' -> JsonToken.VALUE_STRING;
      case '{' -> JsonToken.START_OBJECT;
      case '[' -> JsonToken.START_ARRAY;
      case 't' -> JsonToken.VALUE_TRUE;
      case 'f' -> JsonToken.VALUE_FALSE;
      case 'n' -> JsonToken.VALUE_NULL;
      default -> isInteger(from, to) ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
    };
    String text = token == JsonToken.VALUE_STRING ? text(from, to) : null;
    return new JsonScan.Value(token, from - start, to - start, text);
  }

  private boolean isInteger(int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b == '.' || b == 'e' || b == 'E') {
        return false;
      }
    }
    return true;
  }

  /** The text of the string {@code [from, to)} (quotes included): plain ASCII as it is, anything else as Jackson. */
  private String text(int from, int to) throws JsonScan.NotAnObject {
    if (plainAscii(from + 1, to - 1)) {
      int length = to - from - 2;
      if (length > MAX_STRING_LENGTH) {
        throw new JsonScan.NotAnObject("string value longer than " + MAX_STRING_LENGTH + " characters");
      }
      return new String(bytes, from + 1, length, StandardCharsets.ISO_8859_1);
    }
    try (JsonParser p = DECODER.createParser(bytes, from, to - from)) {
      p.nextToken();
      return p.getText();
    } catch (IOException e) {
      throw new JsonScan.NotAnObject(e.getMessage());
    }
  }

  private boolean plainAscii(int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] < 0 || bytes[i] == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Which wanted name the name {@code [from, to)} (quotes included) is, or -1. */
  private int wantedIndex(JsonScan.Fields fields, int from, int to) throws JsonScan.NotAnObject {
    int found = fields.indexOf(bytes, from + 1, to - 1);
    if (found >= 0 || plainAscii(from + 1, to - 1)) {
      return found;
    }
    return fields.indexOf(text(from, to));  // escaped or non-ASCII: compared as Jackson decodes it
  }

  /** The index after the value at {@code i}, inside the top-level object. */
  private int skipValue(int i) throws JsonScan.NotAnObject {
    if (i < end && (bytes[i] == '{' || bytes[i] == '[')) {
      return skipContainer(i, 1);
    }
    return skipScalar(i);
  }

  /**
   * The index after the object or array opening at {@code i}, which sits at depth {@code outer} (the top-level
   * object is depth 1). A loop with an explicit stack, not recursion: a thousand levels must not cost a thousand
   * frames on an event loop thread.
   */
  private int skipContainer(int i, int outer) throws JsonScan.NotAnObject {
    int depth = outer;
    boolean atValue = true;
    while (true) {
      if (atValue) {
        if (i < end && (bytes[i] == '{' || bytes[i] == '[')) {
          boolean object = bytes[i] == '{';
          depth = push(depth, object, i);
          i = skipWhitespace(i + 1);
          if (i < end && bytes[i] == (object ? '}' : ']')) {
            i++;
            if (--depth == outer) {
              return i;
            }
            atValue = false;
          } else if (object) {
            i = skipMemberHead(i);
          }
        } else {
          i = skipScalar(i);
          atValue = false;
        }
        continue;
      }
      i = skipWhitespace(i);
      boolean object = isObject(depth);
      if (i < end && bytes[i] == ',') {
        i = skipWhitespace(i + 1);
        if (object) {
          i = skipMemberHead(i);
        }
        atValue = true;
      } else if (i < end && bytes[i] == (object ? '}' : ']')) {
        i++;
        if (--depth == outer) {
          return i;
        }
      } else {
        throw unexpected(i, object ? "',' or '}'" : "',' or ']'");
      }
    }
  }

  private int push(int depth, boolean object, int at) throws JsonScan.NotAnObject {
    int next = depth + 1;
    if (next > MAX_DEPTH) {
      throw new JsonScan.NotAnObject("nesting deeper than " + MAX_DEPTH + " at byte " + (at - start));
    }
    if (objects == null) {
      objects = new long[(MAX_DEPTH >>> 6) + 1];
    }
    if (object) {
      objects[next >>> 6] |= 1L << (next & 63);
    } else {
      objects[next >>> 6] &= ~(1L << (next & 63));
    }
    return next;
  }

  private boolean isObject(int depth) {
    return (objects[depth >>> 6] & (1L << (depth & 63))) != 0;
  }

  /** From a member's name at {@code i} to its value: the index of the value's first byte. */
  private int skipMemberHead(int i) throws JsonScan.NotAnObject {
    i = skipName(expect(i, '"', "a field name") + 1);
    return skipWhitespace(expect(skipWhitespace(i), ':', "':'") + 1);
  }

  /** A string, number, true, false or null at {@code i}: the index after it. */
  private int skipScalar(int i) throws JsonScan.NotAnObject {
    if (i >= end) {
      throw unexpected(i, "a value");
    }
    return switch (bytes[i]) {
      case '"' -> skipString(i + 1);
      case 't' -> skipLiteral(i, TRUE);
      case 'f' -> skipLiteral(i, FALSE);
      case 'n' -> skipLiteral(i, NULL);
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> skipNumber(i);
      default -> throw unexpected(i, "a value");
    };
  }

  private int skipLiteral(int i, byte[] literal) throws JsonScan.NotAnObject {
    for (int k = 1; k < literal.length; k++) {
      if (i + k >= end || bytes[i + k] != literal[k]) {
        throw unexpected(i + k, "'" + new String(literal, StandardCharsets.US_ASCII) + "'");
      }
    }
    return i + literal.length;
  }

  /** Jackson's number rules, and its limit on the digits of one number (integer, fraction and exponent). */
  private int skipNumber(int i) throws JsonScan.NotAnObject {
    int at = i;
    if (bytes[i] == '-') {
      i++;
    }
    int integer = i;
    if (i < end && bytes[i] == '0') {
      i++;
      if (i < end && isDigit(bytes[i])) {
        throw new JsonScan.NotAnObject("leading zeroes in a number at byte " + (i - start));
      }
    } else if (i < end && isDigit(bytes[i])) {
      i = skipDigits(i + 1);
    } else {
      throw unexpected(i, "a digit");
    }
    int digits = i - integer;
    boolean integral = true;
    if (i < end && bytes[i] == '.') {
      integral = false;
      int fraction = i + 1;
      i = skipDigits(fraction);
      if (i == fraction) {
        throw unexpected(i, "a digit after the decimal point");
      }
      digits += i - fraction;
    }
    if (i < end && (bytes[i] == 'e' || bytes[i] == 'E')) {
      integral = false;
      i++;
      if (i < end && (bytes[i] == '+' || bytes[i] == '-')) {
        i++;
      }
      int exponent = i;
      i = skipDigits(exponent);
      if (i == exponent) {
        throw unexpected(i, "a digit in the exponent");
      }
      digits += i - exponent;
    }
    if (digits > MAX_NUMBER_LENGTH) {
      throw new JsonScan.NotAnObject((integral ? "integer" : "number") + " longer than " + MAX_NUMBER_LENGTH
          + " digits at byte " + (at - start));
    }
    return i;
  }

  private int skipDigits(int i) {
    while (i < end && isDigit(bytes[i])) {
      i++;
    }
    return i;
  }

  private static boolean isHexDigit(byte b) {
    return isDigit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private int skipWhitespace(int i) {
    while (i < end) {
      byte b = bytes[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }

  /** A name's string, and Jackson's limit on its length: bytes once its escapes are decoded. */
  private int skipName(int i) throws JsonScan.NotAnObject {
    int after = skipString(i);
    if (after - 1 - i > MAX_NAME_LENGTH && decodedLength(i, after - 1) > MAX_NAME_LENGTH) {
      throw new JsonScan.NotAnObject("field name longer than " + MAX_NAME_LENGTH + " bytes at byte " + (i - start));
    }
    return after;
  }

  /** The UTF-8 length of an already checked string's content {@code [from, to)} with its escapes decoded. */
  private int decodedLength(int from, int to) {
    int length = 0;
    for (int i = from; i < to; i++) {
      if (bytes[i] != '\\') {
        length++;
      } else if (bytes[i + 1] != 'u') {
        length++;
        i++;
      } else {
        int c = Integer.parseInt(new String(bytes, i + 2, 4, StandardCharsets.US_ASCII), 16);
        length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;  // a surrogate counts 3, as Jackson re-encodes it in a name
        i += 5;
      }
    }
    return length;
  }

  /**
   * The index after the closing quote of the string whose content starts at {@code i}: from one byte that needs a
   * look ({@link #nextStop}) to the next; that byte is the end, an escape, a UTF-8 sequence or a refused control byte.
   */
  private int skipString(int i) throws JsonScan.NotAnObject {
    byte[] b = bytes;
    while (true) {
      i = nextStop(i);
      if (i >= end) {
        throw new JsonScan.NotAnObject("unexpected end of input in a string");
      }
      int c = b[i] & 0xFF;
      if (c == '"') {
        return i + 1;
      } else if (c == '\\') {
        i = skipEscape(i + 1);
      } else if (c >= 0x80) {
        do {  // text in another script is one UTF-8 sequence after another: no word to read between them
          i = skipUtf8(i, c);
        } while (i < end && (c = b[i] & 0xFF) >= 0x80);
      } else {
        throw new JsonScan.NotAnObject("unescaped control character " + c + " in a string at byte " + (i - start));
      }
    }
  }

  /**
   * The first byte from {@code i} a string scan must look at ({@link ByteWords#stringStops}), or the end: the byte
   * at {@code i} (escapes come in runs), the next sixteen bytes, then thirty-two per test; one by one for the last
   * few. A test finds the first stop among its words without a branch per word ({@link ByteWords#markBits}), so
   * whether the next stop is a few bytes away (code dense in escapes), a couple of dozen (a coding agent's files) or
   * far (prose), the branches stay few and predictable.
   */
  private int nextStop(int i) {
    byte[] b = bytes;
    if (i < end && isStringStop(b[i])) {
      return i;
    }
    if (i <= end - 2 * ByteWords.SIZE) {  // text dense in escapes: the next stop is this close
      long m0 = ByteWords.stringStops(ByteWords.load(b, i));
      long m1 = ByteWords.stringStops(ByteWords.load(b, i + 8));
      if ((m0 | m1) != 0) {
        return i + Long.numberOfTrailingZeros(ByteWords.markBits(m0) | ByteWords.markBits(m1) << 8);
      }
      i += 2 * ByteWords.SIZE;
    }
    for (int lastBlock = end - BLOCK; i <= lastBlock; i += BLOCK) {
      long m0 = ByteWords.stringStops(ByteWords.load(b, i));
      long m1 = ByteWords.stringStops(ByteWords.load(b, i + 8));
      long m2 = ByteWords.stringStops(ByteWords.load(b, i + 16));
      long m3 = ByteWords.stringStops(ByteWords.load(b, i + 24));
      if ((m0 | m1 | m2 | m3) != 0) {  // only the first mark of each word is sure, and the first one is all we take
        return i + Long.numberOfTrailingZeros(ByteWords.markBits(m0) | ByteWords.markBits(m1) << 8
            | ByteWords.markBits(m2) << 16 | ByteWords.markBits(m3) << 24);
      }
    }
    while (i < end && !isStringStop(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean isStringStop(byte b) {
    return b < 0x20 || b == '"' || b == '\\';  // as a signed byte, non-ASCII is below 0x20 too
  }

  private int skipEscape(int i) throws JsonScan.NotAnObject {
    if (i >= end) {
      throw new JsonScan.NotAnObject("unexpected end of input in an escape");
    }
    byte e = bytes[i];
    if (e >= 0 && SHORT_ESCAPES[e]) {
      return i + 1;
    }
    if (e != 'u') {
      throw unexpected(i, "an escape");
    }
    for (int k = 1; k <= 4; k++) {
      if (i + k >= end || !isHexDigit(bytes[i + k])) {
        throw unexpected(i + k, "a hex digit in a \\u escape");
      }
    }
    return i + 5;
  }

  /** A UTF-8 sequence led by {@code lead} at {@code i}, checked as Jackson checks it: the index after it. */
  private int skipUtf8(int i, int lead) throws JsonScan.NotAnObject {
    byte[] b = bytes;
    if ((lead & 0xF0) == 0xE0) {  // first: three bytes, most of the world's scripts
      if (i + 2 < end && (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80) {
        return i + 3;
      }
    } else if ((lead & 0xE0) == 0xC0) {
      if (i + 1 < end && (b[i + 1] & 0xC0) == 0x80) {
        return i + 2;
      }
    } else if ((lead & 0xF8) == 0xF0) {
      if (i + 3 < end && (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80 && (b[i + 3] & 0xC0) == 0x80) {
        return i + 4;
      }
    } else {
      throw new JsonScan.NotAnObject("invalid UTF-8 start byte 0x" + Integer.toHexString(lead) + " at byte "
          + (i - start));
    }
    throw new JsonScan.NotAnObject("invalid UTF-8 middle byte after byte " + (i - start));
  }

  private int expect(int i, char c, String what) throws JsonScan.NotAnObject {
    if (i >= end || bytes[i] != c) {
      throw unexpected(i, what);
    }
    return i;
  }

  private JsonScan.NotAnObject unexpected(int i, String expected) {
    if (i >= end) {
      return new JsonScan.NotAnObject("unexpected end of input: expected " + expected);
    }
    return new JsonScan.NotAnObject("unexpected byte 0x" + Integer.toHexString(bytes[i] & 0xFF) + " at byte "
        + (i - start) + ": expected " + expected);
  }
}
