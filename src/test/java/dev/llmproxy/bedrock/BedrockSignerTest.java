package dev.llmproxy.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.llmproxy.support.SigV4Reference;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * SigV4 in two steps. AWS's published Signature Version 4 test suite (credentials AKIDEXAMPLE,
 * 2015-08-30T12:36:00Z, us-east-1, service "service") pins our independent reference implementation; the
 * reference then checks what our signing step produces with the SDK's signer — which, unlike the suite's
 * requests, always signs an {@code x-amz-content-sha256} payload hash header too.
 */
class BedrockSignerTest {

  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final String SUITE_DATE = "20150830T123600Z";
  private static final Clock AT = Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC);
  private static final Map<String, String> SUITE_HEADERS =
      Map.of("host", "example.amazonaws.com", "x-amz-date", SUITE_DATE);

  private static String suite(String method, String query) {
    return SigV4Reference.signature(SECRET, SUITE_DATE, "us-east-1", "service", method, "/", query,
        List.of("host", "x-amz-date"), SUITE_HEADERS::get, new byte[0]);
  }

  @Test
  void referenceMatchesAwsPublishedTestSuite() {
    assertEquals("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", suite("GET", null));
    assertEquals("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        suite("GET", "Param2=value2&Param1=value1"));
    assertEquals("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", suite("POST", null));
  }

  @Test
  void suiteRequestSignedThroughTheSdkVerifiesWithTheReference() {
    MultiMap signed = BedrockSigner.sign(software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
        "AKIDEXAMPLE", SECRET), "us-east-1", "service", "GET",
        "https://example.amazonaws.com/?Param2=value2&Param1=value1",
        MultiMap.caseInsensitiveMultiMap(), null, AT);
    SigV4Reference.Parsed auth = SigV4Reference.parse(signed.get("Authorization"));
    assertNotNull(auth, signed.get("Authorization"));
    assertEquals(List.of("host", "x-amz-content-sha256", "x-amz-date"), auth.signedHeaders());
    assertEquals(SigV4Reference.sha256Hex(new byte[0]), signed.get("x-amz-content-sha256"));
    assertEquals(SigV4Reference.signature(SECRET, SUITE_DATE, "us-east-1", "service", "GET", "/",
        "Param2=value2&Param1=value1", auth.signedHeaders(), signed::get, new byte[0]), auth.signature());
  }

  @Test
  void bedrockRequestSignsItsHeadersBodyAndSessionTokenButNotConnectionHeaders() {
    byte[] body = "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json").add("accept", "application/vnd.amazon.eventstream")
        .add("content-length", String.valueOf(body.length)).add("user-agent", "claude-cli/1").add("x-trace-id", "t1");
    MultiMap signed = BedrockSigner.sign(AwsSessionCredentials.create("AKIDEXAMPLE", SECRET, "session-token-1"),
        "eu-central-1", "POST",
        "https://bedrock-runtime.eu-central-1.amazonaws.com/model/anthropic.claude-v2%3A1/invoke-with-response-stream",
        headers, Buffer.buffer(body), AT);
    SigV4Reference.Parsed auth = SigV4Reference.parse(signed.get("Authorization"));
    assertNotNull(auth, signed.get("Authorization"));
    assertEquals("eu-central-1", auth.region());
    assertEquals("bedrock", auth.service());
    assertEquals(List.of("accept", "content-type", "host", "x-amz-content-sha256", "x-amz-date",
        "x-amz-security-token"), auth.signedHeaders());
    assertEquals(SigV4Reference.sha256Hex(body), signed.get("x-amz-content-sha256"));
    assertEquals("session-token-1", signed.get("X-Amz-Security-Token"));
    assertEquals("bedrock-runtime.eu-central-1.amazonaws.com", signed.get("Host"));
    // The model id's ':' is sent as %3A and, as for every service but S3, encoded once more when signed.
    assertEquals(SigV4Reference.signature(SECRET, SUITE_DATE, "eu-central-1", "bedrock", "POST",
        "/model/anthropic.claude-v2%3A1/invoke-with-response-stream", null, auth.signedHeaders(), signed::get, body),
        auth.signature());
    // Headers the proxy or the connection may change are sent, but not signed.
    assertEquals("t1", signed.get("x-trace-id"));
    assertEquals("claude-cli/1", signed.get("user-agent"));
  }
}
