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
  void theRequestsOwnCredentialsAreMaskedWhateverTheirShape() {
    java.util.List<String> credentials = RecordMasking.credentialValues(java.util.List.of(
        "Bearer client-own-key-7",
        "AWS4-HMAC-SHA256 Credential=AKIACLIENT0001/20261130/us-west-2/bedrock/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef",
        "session-token-value-1", "short"));
    assertEquals(java.util.List.of(
        "AWS4-HMAC-SHA256 Credential=AKIACLIENT0001/20261130/us-west-2/bedrock/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef",
        "Credential=AKIACLIENT0001/20261130/us-west-2/bedrock/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef", "Bearer client-own-key-7", "session-token-value-1", "client-own-key-7",
        "AKIACLIENT0001"), credentials, "longest first; too short to mask literally left out");

    JsonObject in = new JsonObject()
        .put("headers", new JsonObject().put("x-amz-security-token", "any").put("x-api-key", "k"))
        .put("text", "echo client-own-key-7, AKIACLIENT0001 signed 0123456789abcdef0123456789abcdef; short stays");
    JsonObject out = RecordMasking.mask(in, credentials);
    assertEquals("****", out.getJsonObject("headers").getString("x-amz-security-token"));
    assertEquals("echo ****, **** signed ****; short stays", out.getString("text"));
  }

  @Test
  void aCleanRecordIsReturnedAsIs() {
    JsonObject clean = new JsonObject().put("a", new JsonArray().add("x").add(new JsonObject().put("b", 1)));
    assertSame(clean, RecordMasking.mask(clean));
  }
}
