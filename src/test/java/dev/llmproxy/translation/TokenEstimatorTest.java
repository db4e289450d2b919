package dev.llmproxy.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  @Test
  void countsTextWithTheChatFramingAndSaysItIsAnEstimate() {
    // o200k_base: "hello world" is 2 tokens, "user" 1; 3 framing tokens per message, 3 for the reply.
    TokenEstimator.Estimate e = TokenEstimator.anthropicRequest(new JsonObject(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}"));
    assertEquals(3 + 3 + 1 + 2, e.inputTokens());
    assertEquals("estimate; tokenizer=o200k_base", e.method());
    assertEquals(new JsonObject().put("input_tokens", 9), e.body());
  }

  @Test
  void systemToolsAndImagesAddToTheCount() {
    long plain = TokenEstimator.anthropicRequest(new JsonObject(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}")).inputTokens();
    long withSystem = TokenEstimator.anthropicRequest(new JsonObject(
        "{\"model\":\"m\",\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}"))
        .inputTokens();
    long withTool = TokenEstimator.anthropicRequest(new JsonObject(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}],\"tools\":[{\"name\":\"get_"
            + "weather\","
            + "\"input_schema\":{\"type\":\"object\"}}]}")).inputTokens();
    long withImage = TokenEstimator.anthropicRequest(new JsonObject(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello world\"},"
            + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KG"
                + "go=\"}}]}]}"))
        .inputTokens();
    assertTrue(withSystem > plain + 3, withSystem + " vs " + plain);
    assertTrue(withTool > plain + 5, withTool + " vs " + plain);
    assertEquals(plain + TokenEstimator.IMAGE_TOKENS, withImage);
  }
}
