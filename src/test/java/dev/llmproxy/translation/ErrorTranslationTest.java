package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Provider errors in the other protocol's status and shape (Anthropic and OpenAI documented error bodies). */
class ErrorTranslationTest {

  private static ErrorTranslation.TranslatedError fromAnthropic(int status, String body, MultiMap headers) {
    return Translation.error(Protocol.ANTHROPIC, Protocol.OPENAI, status, headers, Buffer.buffer(body));
  }

  private static ErrorTranslation.TranslatedError fromOpenAi(int status, String body, MultiMap headers) {
    return Translation.error(Protocol.OPENAI, Protocol.ANTHROPIC, status, headers, Buffer.buffer(body));
  }

  @Test
  void anthropicOverloadIsOpenAi503() {
    var out = fromAnthropic(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloa"
        + "ded\"}}",
        MultiMap.caseInsensitiveMultiMap());
    assertEquals(503, out.status());
    assertJsonEquals(new JsonObject("{\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\",\"param\":null,"
        + "\"code\":\"overloaded\"}}"), out.body());
  }

  @Test
  void openAi503IsAnthropicOverload529() {
    var out = fromOpenAi(503, "{\"error\":{\"message\":\"The engine is currently overloaded, please try again later\","
        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}", MultiMap.caseInsensitiveMultiMap());
    assertEquals(529, out.status());
    assertJsonEquals(new JsonObject("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
        + "\"message\":\"The engine is currently overloaded, please try again later\"}}"), out.body());
  }

  @Test
  void rateLimitKeepsRetryAfterAndRateLimitHeaders() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Retry-After", "20").add("x-ratelimit-remaining-reques"
        + "ts", "0")
        .add("set-cookie", "x=y");
    var out = fromOpenAi(429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"requests\","
        + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}", headers);
    assertEquals(429, out.status());
    assertEquals("rate_limit_error", out.body().getJsonObject("error").getString("type"));
    assertEquals("20", out.headers().get("retry-after"));
    assertEquals("0", out.headers().get("x-ratelimit-remaining-requests"));
    assertTrue(!out.headers().containsKey("set-cookie"));

    var back = fromAnthropic(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow d"
        + "own\"}}",
        MultiMap.caseInsensitiveMultiMap().add("retry-after", "7").add("anthropic-ratelimit-requests-remaining", "0"));
    assertEquals(429, back.status());
    assertEquals("rate_limit_exceeded", back.body().getJsonObject("error").getString("code"));
    assertEquals("7", back.headers().get("retry-after"));
    assertEquals("0", back.headers().get("anthropic-ratelimit-requests-remaining"));
  }

  @Test
  void statusAndKindMapForEveryDocumentedAnthropicError() {
    String[][] cases = {
        {"400", "invalid_request_error", "400"}, {"401", "authentication_error", "401"},
        {"403", "permission_error", "403"}, {"404", "not_found_error", "404"}, {"413", "request_too_large", "413"},
        {"429", "rate_limit_error", "429"}, {"500", "api_error", "500"}, {"529", "overloaded_error", "503"},
        {"402", "billing_error", "402"}, {"504", "timeout_error", "504"}};
    for (String[] c : cases) {
      var out = fromAnthropic(Integer.parseInt(c[0]), "{\"type\":\"error\",\"error\":{\"type\":\"" + c[1]
          + "\",\"message\":\"m\"}}", null);
      assertEquals(Integer.parseInt(c[2]), out.status(), c[1]);
      assertEquals("m", out.body().getJsonObject("error").getString("message"));
    }
  }

  @Test
  void quotaExhaustionIsABillingErrorNotARetryableRateLimit() {
    var out = fromOpenAi(429, "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_q"
        + "uota\","
        + "\"param\":null,\"code\":\"insufficient_quota\"}}", null);
    assertEquals(402, out.status());
    assertEquals("billing_error", out.body().getJsonObject("error").getString("type"));
  }

  @Test
  void aBodyThatIsNotJsonStillGivesAnErrorInTheClientsShape() {
    var out = fromOpenAi(502, "<html><body>Bad Gateway</body></html>", null);
    assertEquals(502, out.status());
    assertEquals("error", out.body().getString("type"));
    assertEquals("api_error", out.body().getJsonObject("error").getString("type"));
    assertTrue(out.body().getJsonObject("error").getString("message").contains("Bad Gateway"));
  }
}
