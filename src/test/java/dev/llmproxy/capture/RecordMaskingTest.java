package dev.llmproxy.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.llmproxy.observability.LogMasking;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Masking a record: secrets and key shapes anywhere in the tree, credential headers whole, the input untouched. */
class RecordMaskingTest {

  @AfterEach
  void reset() {
    LogMasking.register(true, Set.of());
  }

  @Test
  void masksDeepValuesAndCredentialFieldsAndLeavesTheInputAsItWas() {
    LogMasking.register(false, Set.of("configured-secret-123"));  // patterns off for logs: captures mask anyway
    JsonObject in = new JsonObject()
        .put("headers", new JsonObject().put("authorization", "Bearer abc").put("accept", "*/*"))
        .put("body", new JsonObject().put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "key sk-ant-abcdefghij and configured-secret-123"))
            .add(new JsonObject().put("role", "assistant").put("content", "fine"))))
        .put("n", 3);
    String before = in.encode();

    JsonObject out = RecordMasking.mask(in);

    assertEquals(before, in.encode(), "the input is not changed");
    assertEquals("****", out.getJsonObject("headers").getString("authorization"));
    assertEquals("key sk-ant-**** and ****", out.getJsonObject("body").getJsonArray("messages").getJsonObject(0)
        .getString("content"));
    assertEquals(3, out.getInteger("n"));
    assertSame(in.getJsonObject("body").getJsonArray("messages").getJsonObject(1).getMap(),
        out.getJsonObject("body").getJsonArray("messages").getJsonObject(1).getMap(), "unmasked parts are shared");
  }

  @Test
  void aCleanRecordIsReturnedAsIs() {
    JsonObject clean = new JsonObject().put("a", new JsonArray().add("x").add(new JsonObject().put("b", 1)));
    assertSame(clean, RecordMasking.mask(clean));
  }
}
