package dev.llmproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class ExactJsonTest {

  private static final String NUMBERS = "{\"big\":123456789012345678901234567890,\"long\":9007199254740993,"
      + "\"decimal\":0.10000000000000000555111512312578,\"huge\":1.5e400,\"small\":3,\"nested\":{\"list\":[1.0,-2.50"
          + "]}}";

  @Test
  void vertxKeepsIntegersButRoundsDecimals() {
    // Why ExactJson exists: what Vert.x's own decoder does to the same text.
    JsonObject vertx = (JsonObject) Json.decodeValue(NUMBERS);
    assertEquals(new BigInteger("123456789012345678901234567890"), vertx.getValue("big"));
    assertEquals(9007199254740993L, vertx.getValue("long"));
    assertEquals(Double.class, vertx.getValue("decimal").getClass());
    assertNotEquals(NUMBERS, vertx.encode());
    assertEquals("Infinity", new JsonObject(vertx.encode()).getValue("huge"), "1.5e400 would be re-encoded as a stri"
        + "ng");
  }

  @Test
  void exactJsonKeepsEveryNumberDigitForDigit() {
    JsonObject exact = (JsonObject) ExactJson.decode(NUMBERS);
    assertEquals("{\"big\":123456789012345678901234567890,\"long\":9007199254740993,"
        + "\"decimal\":0.10000000000000000555111512312578,\"huge\":1.5E+400,\"small\":3,\"nested\":{\"list\":[1.0,-2"
            + ".50]}}",
        exact.encode());
    assertEquals(3, exact.getInteger("small"));
    assertEquals(1.0, exact.getJsonObject("nested").getJsonArray("list").getDouble(0));
  }

  @Test
  void invalidTextIsRefused() {
    assertThrows(DecodeException.class, () -> ExactJson.decode("{\"a\":"));
    assertThrows(DecodeException.class, () -> ExactJson.decode("{} {}"));
    assertThrows(DecodeException.class, () -> ExactJson.decode(""));
    assertNull(ExactJson.objectOrNull("[1]"));
    assertNull(ExactJson.objectOrNull("not json"));
  }
}
