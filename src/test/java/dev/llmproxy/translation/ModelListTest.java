package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelListTest {

  @Test
  void aliasesInAnthropicsListShape() {
    assertJsonEquals(new JsonObject("""
        {"data":[
          {"type":"model","id":"claude","display_name":"claude","created_at":"2026-01-02T03:04:05Z"},
          {"type":"model","id":"gpt-4","display_name":"gpt-4","created_at":"2026-01-02T03:04:05Z"}],
         "has_more":false,"first_id":"claude","last_id":"gpt-4"}
        """), ModelList.anthropic(List.of("claude", "gpt-4"), Instant.parse("2026-01-02T03:04:05Z")));
  }
}
