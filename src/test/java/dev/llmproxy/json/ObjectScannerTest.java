package dev.llmproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-picked cases for {@link JsonScan#topLevel}: each verdict stated, and the same as Jackson's on the same bytes
 * (but for the cases refused on purpose), including Jackson's default limits at their edges.
 */
class ObjectScannerTest {

  private static ScanOutcome judged(byte[] doc, boolean accepted) {
    ScanOutcome ours = ScanOutcome.ours(doc);
    assertEquals(accepted, ours.accepted(), () -> ObjectScannerDifferentialTest.printable(doc));
    if (!ScanOutcome.refusedUnlikeJackson(doc, 0, doc.length)) {
      assertEquals(ScanOutcome.jackson(doc), ours, () -> ObjectScannerDifferentialTest.printable(doc));
    }
    return ours;
  }

  private static ScanOutcome judged(String doc, boolean accepted) {
    return judged(doc.getBytes(StandardCharsets.UTF_8), accepted);
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      byte[] b = part instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) part;
      out.write(b, 0, b.length);
    }
    return out.toByteArray();
  }

  private static byte[] raw(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  @Test
  void acceptsWhatJsonAllows() {
    for (String ok : new String[] {"{}", " \t\r\n{ } \n", "{\"a\":[]}", "{\"a\":{}}",
        "{\"a\":[1,-0,0.5e+3,1E-2,-12.0]}", "{\"a\":true,\"b\":false,\"c\":null}",
        "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\uDFFF\\uabcD\"}",
        "{\"\":\"\"}", "{\"a\":\"\u007f h\u00e9 \u2713 \uD83D\uDE00\"}", "{\"a\" : [ { } , [ ] , \"x\" ] }"}) {
      judged(ok, true);
    }
  }

  @Test
  void refusesWhatJsonDoesNot() {
    for (String bad : new String[] {"", " ", "[]", "\"x\"", "1", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}",
        "{a:1}", "{'a':1}", "{\"a\":1,}", "{,\"a\":1}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}", "{\"a\":01}",
        "{\"a\":-01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1e}", "{\"a\":1e+}",
        "{\"a\":1.e3}", "{\"a\":NaN}", "{\"a\":-Infinity}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}",
        "{\"a\":True}", "{\"a\":1x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\'\"}",
        "{\"a\":\"x\ty\"}", "{\"a\":\"x\ny\"}", "{\"a\nb\":1}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":[1}",
        "{\"a\":{\"b\"}}", "{} {}", "{}x", "{}\u0000", "{\"a\":1}}", "/*c*/{}", "{}//c", "{\"a\":1 /*c*/}", "#\n{}",
        "\u000b{}", "{\"a\":\"unterminated}", "{\"a\":\"x\\"}) {
      judged(bad, false);
    }
  }

  @Test
  void checksUtf8AsJacksonDoes() {
    judged(bytes("{\"a\":\"", raw(0xC3, 0xA9, 0xE2, 0x9C, 0x93, 0xF0, 0x9F, 0x98, 0x80), "\"}"), true);
    // Jackson checks a lead byte's class and its continuation bytes, nothing more: these pass, as they did before.
    judged(bytes("{\"a\":\"", raw(0xC0, 0x80), "\"}"), true);  // overlong
    judged(bytes("{\"a\":\"", raw(0xED, 0xA0, 0x80), "\"}"), true);  // an encoded surrogate
    judged(bytes("{\"a\":\"", raw(0xF7, 0xBF, 0xBF, 0xBF), "\"}"), true);  // above U+10FFFF
    judged(bytes("{\"", raw(0xC3, 0xA9), "\":1}"), true);
    for (byte[] bad : new byte[][] {raw(0x80), raw(0xBF), raw(0xF8, 0x80, 0x80, 0x80), raw(0xFF), raw(0xC3),
        raw(0xC3, 0x41), raw(0xE2, 0x9C), raw(0xE2, 0x9C, 0x22), raw(0xF0, 0x9F, 0x98), raw(0xC3, '\\', 'n')}) {
      judged(bytes("{\"a\":\"", bad, "\"}"), false);
      judged(bytes("{\"", bad, "\":1}"), false);
    }
    judged(bytes("{\"a\":", raw(0xC3, 0xA9), "}"), false);
    judged(bytes("{\"a\":1}", raw(0xC3, 0xA9)), false);
  }

  @Test
  void skipsAUtf8ByteOrderMarkAndCountsItsBytesInTheOffsets() {
    ScanOutcome withMark = judged(bytes(raw(0xEF, 0xBB, 0xBF), "{\"model\":\"m\"}"), true);
    assertEquals(new ScanOutcome.Field("model", JsonToken.VALUE_STRING, 12, 15, "m", 1), withMark.fields().get(0));
    judged(raw(0xEF, 0xBB, 0xBF), false);
    judged(bytes(raw(0xEF, 0xBB, 0xBF), "{"), false);
  }

  /** Stricter than Jackson, which reads these as UTF-16/32: the proxy edits and forwards the bytes as UTF-8. */
  @Test
  void refusesUtf16AndUtf32Bodies() {
    byte[] utf16 = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16LE);
    assertTrue(ScanOutcome.jackson(utf16).accepted(), "Jackson reads it");
    judged(utf16, false);
    judged("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16), false);
    judged("{\"model\":\"m\"}".getBytes(java.nio.charset.Charset.forName("UTF-32BE")), false);
  }

  /** Jackson's padding makes it read a name with a 0xFF byte as a name it has seen; a fresh parse refuses it. */
  @Test
  void refusesA0xFfByteInANameThatJacksonTakesForAnother() {
    byte[] doc = bytes("{\"stream\":1,\"stre", raw(0xFF), "am\":2}");
    assertTrue(ScanOutcome.jackson(doc).accepted(), "Jackson's quirk");
    judged(doc, false);
  }

  @Test
  void findsTheWantedFieldsUnderEscapedNamesAndDecodesTheirTextAsJacksonDoes() {
    ScanOutcome out = judged(
        "{\"mod\\u0065l\":\"a\\u00e9\\n\\uD83D\\uDE00\",\"model\":\"b\u00e9\\\"\",\"str\\u0065am\":true}", true);
    assertEquals(List.of(new ScanOutcome.Field("model", JsonToken.VALUE_STRING, 46, 53, "b\u00e9\"", 2),
        new ScanOutcome.Field("stream", JsonToken.VALUE_TRUE, 68, 72, null, 1)), out.fields());
    // An overlong 'd' (0xC1 0xA4): Jackson decodes it to 'd', so this is the model field to Jackson, and to the scan.
    ScanOutcome overlong = judged(bytes("{\"mo", raw(0xC1, 0xA4), "el\":\"x\"}"), true);
    assertEquals("x", overlong.fields().get(0).text());
    judged("{\"model\":[\"x\"],\"stream\":{\"model\":1},\"n\":1.5e3}", true);
    judged("{\"model\":-12.5E-3,\"stream\":null}", true);
    judged("{\"model\":12}", true);
  }

  @Test
  void nestsAsDeepAsJacksonAndNoDeeper() {
    int levels = ObjectScanner.MAX_DEPTH;  // the top-level object is one
    judged("{\"a\":" + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}", true);
    judged("{\"a\":" + "[".repeat(levels) + "]".repeat(levels) + "}", false);
    judged("{\"a\":" + "{\"b\":".repeat(levels - 1) + "1" + "}".repeat(levels - 1) + "}", true);
    judged("{\"a\":" + "{\"b\":".repeat(levels) + "1" + "}".repeat(levels) + "}", false);
    judged("{\"a\":" + "[{\"b\":".repeat(levels / 2) + "1" + "}]".repeat(levels / 2) + "}", false);
    judged("{\"a\":" + "[{\"b\":".repeat(levels / 2 - 1) + "[]" + "}]".repeat(levels / 2 - 1) + "}", true);
  }

  @Test
  void takesNumbersAsLongAsJacksonDoes() {
    int max = ObjectScanner.MAX_NUMBER_LENGTH;
    judged("{\"a\":" + "9".repeat(max) + "}", true);
    judged("{\"a\":-" + "9".repeat(max) + "}", true);
    judged("{\"a\":" + "9".repeat(max + 1) + "}", false);
    judged("{\"model\":" + "1".repeat(max / 2) + "." + "5".repeat(max / 2) + "}", true);
    judged("{\"a\":" + "1".repeat(max / 2) + "." + "5".repeat(max / 2 + 1) + "}", false);
    judged("{\"a\":1." + "5".repeat(max - 3) + "e+10}", true);
    judged("{\"a\":1." + "5".repeat(max - 2) + "e+10}", false);
  }

  @Test
  void takesNamesAsLongAsJacksonDoesCountingDecodedBytes() {
    int max = ObjectScanner.MAX_NAME_LENGTH;
    judged("{\"" + "n".repeat(max) + "\":1}", true);
    judged("{\"" + "n".repeat(max + 1) + "\":1}", false);
    judged("{\"a\":{\"" + "n".repeat(max + 1) + "\":1}}", false);
    // Longer than the limit as written, within it decoded (an escape of 6 bytes is 1 to 3 bytes of name).
    judged("{\"" + "n".repeat(max - 10) + "\\u0041".repeat(10) + "\":1}", true);
    judged("{\"" + "n".repeat(max - 10) + "\\u0041".repeat(11) + "\":1}", false);
    judged("{\"" + "n".repeat(max - 30) + "\\u4e00".repeat(10) + "\":1}", true);
    judged("{\"" + "n".repeat(max - 29) + "\\u4e00".repeat(10) + "\":1}", false);
    judged("{\"" + "n".repeat(max - 2) + "\\n\\t" + "\":1}", true);
    judged("{\"" + "n".repeat(max - 2) + "\\n\\t\\r" + "\":1}", false);
  }

  /** Only a string Jackson decodes (a wanted field's) is held to its string length limit; skipped ones are not. */
  @Test
  void holdsTheModelToJacksonsStringLimitAndSkippedStringsToNone() {
    int max = ObjectScanner.MAX_STRING_LENGTH;
    judged("{\"model\":\"" + "m".repeat(max) + "\"}", true);
    judged("{\"model\":\"" + "m".repeat(max + 1) + "\"}", false);
    judged("{\"model\":\"\u00e9" + "m".repeat(max) + "\"}", false);
    judged("{\"other\":\"" + "m".repeat(max + 1) + "\"}", true);
  }

  @Test
  void aLongStringIsSkippedWhateverItsAlignment() {
    for (int pad = 0; pad < 9; pad++) {
      String content = "x".repeat(pad) + "\\\"" + "y".repeat(37) + "\u00e9" + "z".repeat(pad);
      ScanOutcome out = judged("{\"m\":\"" + content + "\",\"model\":\"" + content + "\"}", true);
      assertEquals("x".repeat(pad) + "\"" + "y".repeat(37) + "\u00e9" + "z".repeat(pad), out.fields().get(0).text());
      judged("{\"m\":\"" + content + "\u0001\"}", false);
      assertFalse(ScanOutcome.ours(("{\"m\":\"" + content).getBytes(StandardCharsets.UTF_8)).accepted());
    }
  }
}
