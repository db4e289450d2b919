package dev.llmproxy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The system prompt a rule matches, read from each protocol's request shape. */
class SystemPromptTextTest {

  @Test
  void responsesInstructionsAndSystemOrDeveloperInputMessages() {
    JsonObject body = new JsonObject("""
        {"model":"m","instructions":"You are Codex.","input":[
          {"role":"developer","content":[{"type":"input_text","text":"sandbox: read-only"}]},
          {"type":"message","role":"user","content":"hi"},
          {"role":"system","content":"be brief"}]}
        """);
    assertEquals("You are Codex.\nsandbox: read-only\nbe brief", SystemPromptText.of(body));
    assertEquals("", SystemPromptText.of(new JsonObject("{\"model\":\"m\",\"input\":\"hi\"}")));
  }

  @Test
  void chatAndAnthropicAsBefore() {
    assertEquals("S\nD", SystemPromptText.of(new JsonObject(
        "{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"developer\",\"content\":\"D\"}]}")));
    assertEquals("A", SystemPromptText.of(new JsonObject("{\"system\":[{\"type\":\"text\",\"text\":\"A\"}]}")));
  }
}
