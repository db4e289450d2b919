package dev.llmproxy.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassifierTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final DetectionRules RULES = DetectionRules.defaults();

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      // status | body | expected (ACCEPT, PASS, or a FailureClass)
      "200|{\"choices\":[]}|ACCEPT",
      "200|{\"choices\":[{\"message\":{\"content\":\"what is insufficient_quota?\"}}]}|ACCEPT",
      "200|{\"error\":{\"message\":\"You exceeded your quota\",\"code\":\"insufficient_quota\"}}|BACKEND_REFUSED",
      "200|{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}|TRANSIENT",
      "500|{\"error\":{\"message\":\"boom\"}}|TRANSIENT",
      "503|upstream connect error|TRANSIENT",
      "429|{\"error\":{\"message\":\"Rate limit reached\"}}|RATE_LIMITED",
      "429|{\"error\":{\"code\":\"insufficient_quota\"}}|BACKEND_REFUSED",
      "401|{\"error\":{\"message\":\"Incorrect API key\"}}|BACKEND_REFUSED",
      "404|{\"error\":{\"code\":\"model_not_found\"}}|BACKEND_REFUSED",
      "400|{\"error\":{\"message\":\"bad temperature\"}}|PASS",
      "422|{\"detail\":\"unprocessable\"}|PASS",
      "400|{\"error\":{\"code\":\"context_length_exceeded\"}}|CONTEXT_LENGTH",
      "400|{\"type\":\"error\",\"error\":{\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}}|CONTEXT_LENGTH",
      "400|{\"error\":{\"code\":\"content_policy_violation\"}}|PASS",
      "500|{\"error\":{\"code\":\"content_filter\"}}|PASS",
  })
  void judgesResponses(int status, String body, String expected) {
    Verdict v = FailureClassifier.response(RULES, status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body), NOW);
    switch (expected) {
      case "ACCEPT" -> assertEquals(Verdict.accept(), v);
      case "PASS" -> assertTrue(v.accepted() && !v.reason().equals("accepted"), v.toString());
      default -> {
        assertFalse(v.accepted(), v.toString());
        assertEquals(FailureClass.valueOf(expected), v.failure(), v.toString());
      }
    }
  }

  @Test
  void listedCodesAndPatternsAreConfigurable() {
    DetectionRules only4xx = new DetectionRules(List.of(StatusPattern.parse("4xx")), List.of(BodyPattern.parse("/my.*error/")));
    assertTrue(FailureClassifier.response(only4xx, 503, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("x"), NOW).accepted(),
        "503 is not listed: returned unchanged");
    assertFalse(FailureClassifier.response(only4xx, 400, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("x"), NOW).accepted());
    assertFalse(FailureClassifier.response(only4xx, 503, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("MY special ERROR"), NOW)
        .accepted(), "a body pattern detects an unlisted status");
  }

  @Test
  void rateLimitsCarryTheProvidersWait() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Retry-After", "7");
    Verdict v = FailureClassifier.response(RULES, 429, headers, Buffer.buffer("{}"), NOW);
    assertEquals(Duration.ofSeconds(7), v.retryAfter());
  }

  @Test
  void transportFailuresMapToTheirClass() {
    assertEquals(FailureClass.UNREACHABLE, FailureClassifier.transport(TransportFailure.CONNECT, "refused").failure());
    assertEquals(FailureClass.TIMEOUT, FailureClassifier.transport(TransportFailure.FIRST_TOKEN_TIMEOUT, "").failure());
    assertEquals(FailureClass.TRANSIENT, FailureClassifier.transport(TransportFailure.RESET, "").failure());
    assertEquals("connection failed: refused",
        FailureClassifier.transport(TransportFailure.CONNECT, "connection failed: refused").reason());
  }

  @Test
  void streamErrorEventsBeforeContent() {
    assertEquals(FailureClass.TRANSIENT,
        FailureClassifier.streamError("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}").failure());
    assertEquals(FailureClass.RATE_LIMITED,
        FailureClassifier.streamError("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}").failure());
    assertTrue(FailureClassifier.streamError("{\"error\":{\"code\":\"content_policy_violation\"}}").accepted());
  }

  @Test
  void responsesStreamFailuresAreJudgedOnTheirErrorOnly() {
    // response.failed carries the whole response: the client's instructions must not decide the class.
    String failed = "{\"type\":\"response.failed\",\"sequence_number\":2,\"response\":{\"status\":\"failed\","
        + "\"instructions\":\"Never mention a rate limit.\",\"error\":{\"code\":\"server_error\","
        + "\"message\":\"The server had an error\"}}}";
    Verdict verdict = FailureClassifier.streamError(failed);
    assertEquals(FailureClass.TRANSIENT, verdict.failure());
    assertTrue(verdict.reason().contains("The server had an error"), verdict.reason());
    assertEquals(FailureClass.RATE_LIMITED, FailureClassifier.streamError(
        "{\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"rate_limit_exceeded\"}}}").failure());
    assertEquals(FailureClass.RATE_LIMITED, FailureClassifier.streamError(
        "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\"}").failure());
    assertEquals(FailureClass.CONTEXT_LENGTH, FailureClassifier.streamError(
        "{\"type\":\"error\",\"error\":{\"code\":\"context_length_exceeded\"}}").failure());
  }

  @Test
  void statusPatterns() {
    assertTrue(StatusPattern.parse("5xx").matches(503));
    assertFalse(StatusPattern.parse("5xx").matches(499));
    assertTrue(StatusPattern.parse(429).matches(429));
    assertTrue(StatusPattern.parse("500-504").matches(504));
    assertFalse(StatusPattern.parse("500-504").matches(505));
    assertThrows(IllegalArgumentException.class, () -> StatusPattern.parse("6xx"));
    assertThrows(IllegalArgumentException.class, () -> StatusPattern.parse("504-500"));
    assertThrows(IllegalArgumentException.class, () -> BodyPattern.parse("/(unclosed/"));
  }

  @Test
  void retryAfterForms() {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    assertEquals(Duration.ofMillis(1500), RetryAfter.from(h.set("retry-after", "1.5"), NOW).orElseThrow());
    h.clear();
    assertEquals(Duration.ofSeconds(30), RetryAfter.from(h.set("retry-after", "Thu, 01 Jan 2026 00:00:30 GMT"), NOW).orElseThrow());
    h.clear();
    assertEquals(Duration.ofMillis(250), RetryAfter.from(h.set("retry-after-ms", "250").set("retry-after", "9"), NOW).orElseThrow());
    h.clear();
    assertEquals(Duration.ofSeconds(360), RetryAfter.from(
        h.set("x-ratelimit-reset-requests", "1s").set("x-ratelimit-reset-tokens", "6m0s"), NOW).orElseThrow());
    h.clear();
    assertEquals(Duration.ofSeconds(12), RetryAfter.from(
        h.set("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:12Z"), NOW).orElseThrow());
    h.clear();
    assertTrue(RetryAfter.from(h.set("retry-after", "soon"), NOW).isEmpty());
  }
}
