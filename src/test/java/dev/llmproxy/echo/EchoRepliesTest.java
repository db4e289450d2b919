package dev.llmproxy.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class EchoRepliesTest {

  private static JsonObject json(String text) {
    return new JsonObject(text);
  }

  @Test
  void malformedShapesAreNamedLikeAProviderWould() {
    assertEquals("Invalid type for 'messages': expected an array of objects, but got a string instead.",
        EchoReplies.problem(json("{\"messages\":\"hi\"}"), "/v1/chat/completions"));
    assertEquals("Invalid type for 'messages[0]': expected an object, but got a string instead.",
        EchoReplies.problem(json("{\"messages\":[\"x\"]}"), "/v1/messages"));
    assertTrue(EchoReplies.problem(json("{\"messages\":[{\"role\":\"user\",\"content\":{}}]}"),
        "/v1/chat/completions").contains("'messages[0].content'"));
    assertTrue(EchoReplies.problem(json("{\"messages\":[],\"system\":5}"), "/v1/messages").contains("'system'"));
    assertEquals("Missing required parameter: 'messages'.", EchoReplies.problem(json("{}"), "/v1/chat/completions"));
    assertEquals("Missing required parameter: 'input'.", EchoReplies.problem(json("{}"), "/v1/embeddings"));
    assertNull(EchoReplies.problem(json("{\"prompt\":\"x\"}"), "/v1/completions"));
  }

  @Test
  void wellFormedRequestsOfAnyContentShapeGetAReply() {
    assertEquals("[echo] a b", EchoReplies.replyText(json(
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image\"},"
            + "{\"type\":\"text\",\"text\":\"b\"},{\"text\":5}]}]}"), false));
    assertEquals("[echo] ", EchoReplies.replyText(json("{\"messages\":[{\"role\":\"user\"}]}"), false));
  }

  @Test
  void theSystemPromptReceivedIsQuoted() {
    assertEquals("[echo] hi [system prompt: Be brief.]", EchoReplies.replyText(json(
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"hi\"}]}"),
        false));
    assertEquals("[echo] hi [system prompt: Ours. Theirs.]", EchoReplies.replyText(json(
        "{\"system\":[{\"type\":\"text\",\"text\":\"Ours.\"},{\"type\":\"text\",\"text\":\"Theirs.\"}],"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), true));
    String longPrompt = "x".repeat(500);
    String reply = EchoReplies.replyText(json("{\"system\":\"" + longPrompt + "\",\"messages\":[]}"), true);
    assertTrue(reply.endsWith("x…]") && reply.length() < 250, reply);
  }
}
