package dev.llmproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonScanTest {

  private static String slice(Buffer json, JsonScan.Value v) {
    return json.getString(v.start(), v.end(), "UTF-8");
  }

  @Test
  void findsTopLevelFieldsWithTheirBytesNotNestedOnes() throws Exception {
    Buffer json = Buffer.buffer("{ \"messages\": [{\"model\": \"inner\"}], \"model\" :  \"gp\\u0074-4\" ,"
        + "\"stream\":true, \"n\": {\"model\": 1}}");
    JsonScan.Fields f = JsonScan.topLevel(json, "model", "stream");
    assertEquals("gpt-4", f.get("model").text());
    assertEquals("\"gp\\u0074-4\"", slice(json, f.get("model")));
    assertTrue(f.get("stream").isBoolean());
    assertEquals("true", slice(json, f.get("stream")));
    assertEquals(1, f.count("model"));
  }

  @Test
  void offsetsAreBytesNotCharacters() throws Exception {
    Buffer json = Buffer.buffer(
        "{\"messages\":[{\"content\":\"héllo ✓\"}],\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8));
    JsonScan.Value model = JsonScan.topLevel(json, "model").get("model");
    assertEquals("\"m\"", slice(json, model));
  }

  @Test
  void offsetsAreTheBuffersOwnWhenItIsASliceOfALargerOne() throws Exception {
    Buffer whole = Buffer.buffer("xxxx{\"model\":\"a\"}");
    Buffer json = whole.slice(4, whole.length());
    assertEquals("\"a\"", slice(json, JsonScan.topLevel(json, "model").get("model")));
  }

  @Test
  void aRepeatedFieldCountsTwiceAndKeepsTheLastValue() throws Exception {
    JsonScan.Fields f = JsonScan.topLevel(Buffer.buffer("{\"model\":\"a\",\"model\":\"b\"}"), "model");
    assertEquals(2, f.count("model"));
    assertEquals("b", f.get("model").text());
  }

  @Test
  void refusesWhatIsNotExactlyOneObject() {
    for (String bad : new String[] {"[1]", "\"x\"", "{\"a\":1} {}", "{\"a\":}", "{\"a\":[1,}", "", "{\"a\":1"}) {
      assertThrows(JsonScan.NotAnObject.class, () -> JsonScan.topLevel(Buffer.buffer(bad), "a"), bad);
    }
  }

  @Test
  void readsOneFieldAndStopsThere() {
    Buffer json = Buffer.buffer("{\"id\":\"x\",\"usage\":{\"prompt_tokens\":5},\"rest\": [1, 2");
    assertEquals("{\"prompt_tokens\":5}", JsonScan.field(json, "usage", Integer.MAX_VALUE).toString());
    assertNull(JsonScan.field(json, "missing", Integer.MAX_VALUE));
    assertNull(JsonScan.field(Buffer.buffer("not json"), "usage", 100));
  }

  @Test
  void recognisesBothErrorShapesAtTheTopLevelOnly() {
    assertTrue(JsonScan.isErrorObject(Buffer.buffer("{\"error\":{\"message\":\"x\"}}"), 1000));
    assertTrue(JsonScan.isErrorObject(Buffer.buffer("{\"type\":\"error\",\"error\":{}}"), 1000));
    assertFalse(JsonScan.isErrorObject(Buffer.buffer("{\"object\":\"response\",\"error\":null}"), 1000));
    assertFalse(JsonScan.isErrorObject(Buffer.buffer("{\"choices\":[{\"error\":\"in content\"}]}"), 1000));
    assertFalse(JsonScan.isErrorObject(Buffer.buffer("[{\"error\":1}]"), 1000));
  }

  /** Wherever the needle sits (word boundaries, the last bytes, a slice's), with near misses all around it. */
  @Test
  void containsFindsTheNeedleWhereverItSitsAndOnlyThere() {
    byte[] needle = "\"thinking\"".getBytes(StandardCharsets.US_ASCII);
    String nearMisses = "\"thinkin\" \"hinking\" \"thinking \"thinkinG\" \"\"\"\"\" ";
    for (int at = 0; at <= 40; at++) {
      String text = "\"thinkin".repeat(at / 8) + "x".repeat(at % 8);
      Buffer without = Buffer.buffer(text + nearMisses);
      Buffer with = Buffer.buffer(text + "\"thinking\"" + nearMisses);
      assertFalse(JsonScan.contains(without, needle, Integer.MAX_VALUE), text);
      assertTrue(JsonScan.contains(with, needle, Integer.MAX_VALUE), text);
      assertTrue(JsonScan.contains(with, needle, at + needle.length), "ends at the limit");
      assertFalse(JsonScan.contains(with, needle, at + needle.length - 1), "cut by the limit");
      Buffer framed = Buffer.buffer("\"thinking\"" + text + "\"thinking\"" + nearMisses + "\"thinking\"");
      assertTrue(JsonScan.contains(framed.slice(needle.length, needle.length + with.length()), needle,
          Integer.MAX_VALUE));
      assertFalse(JsonScan.contains(framed.slice(1, needle.length + at + needle.length - 1), needle,
          Integer.MAX_VALUE), "a slice sees only its own bytes");
    }
  }

  @Test
  void containsLooksAtEveryCandidateInAWord() {
    byte[] needle = "axa".getBytes(StandardCharsets.US_ASCII);
    assertTrue(JsonScan.contains(Buffer.buffer("ayaxa......."), needle, Integer.MAX_VALUE));
    assertFalse(JsonScan.contains(Buffer.buffer("ayaya......."), needle, Integer.MAX_VALUE));
  }

  @Test
  void containsLooksOnlyWithinTheLimit() {
    Buffer text = Buffer.buffer("abc error");
    assertTrue(JsonScan.contains(text, "error".getBytes(StandardCharsets.US_ASCII), 100));
    assertFalse(JsonScan.contains(text, "error".getBytes(StandardCharsets.US_ASCII), 8));
  }
}
