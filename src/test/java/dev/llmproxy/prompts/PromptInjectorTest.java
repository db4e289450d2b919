package dev.llmproxy.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.PromptMode;
import dev.llmproxy.config.SystemPrompt;
import dev.llmproxy.protocol.Endpoint;
import static dev.llmproxy.config.PromptMode.APPEND;
import static dev.llmproxy.config.PromptMode.PREPEND;
import static dev.llmproxy.config.PromptMode.REPLACE;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PromptInjectorTest {

  private static JsonObject inject(Endpoint endpoint, String body, PromptMode mode) {
    JsonObject json = new JsonObject(q(body));
    PromptInjector.inject(endpoint, json, new SystemPrompt("OPS", mode, "test"));
    return json;
  }

  static Stream<Arguments> chatCases() {
    return Stream.of(
        // mode, client messages, expected messages (single quotes stand for double quotes)
        Arguments.of(PREPEND, "[{'role':'user','content':'hi'}]",
            "[{'role':'system','content':'OPS'},{'role':'user','content':'hi'}]"),
        Arguments.of(APPEND, "[{'role':'user','content':'hi'}]",
            "[{'role':'system','content':'OPS'},{'role':'user','content':'hi'}]"),
        Arguments.of(REPLACE, "[{'role':'user','content':'hi'}]",
            "[{'role':'system','content':'OPS'},{'role':'user','content':'hi'}]"),
        Arguments.of(PREPEND, "[{'role':'system','content':'C'},{'role':'user','content':'hi'}]",
            "[{'role':'system','content':'OPS\\n\\nC'},{'role':'user','content':'hi'}]"),
        Arguments.of(APPEND, "[{'role':'system','content':'C'},{'role':'user','content':'hi'}]",
            "[{'role':'system','content':'C\\n\\nOPS'},{'role':'user','content':'hi'}]"),
        Arguments.of(REPLACE,
            "[{'role':'system','content':'C'},{'role':'user','content':'hi'},{'role':'system','content':'D'}]",
            "[{'role':'system','content':'OPS'},{'role':'user','content':'hi'}]"),
        Arguments.of(PREPEND, "[{'role':'developer','content':'C'},{'role':'user','content':'hi'}]",
            "[{'role':'developer','content':'OPS\\n\\nC'},{'role':'user','content':'hi'}]"),
        Arguments.of(PREPEND, "[{'role':'system','content':[{'type':'text','text':'C'}]}]",
            "[{'role':'system','content':[{'type':'text','text':'OPS'},{'type':'text','text':'C'}]}]"),
        Arguments.of(APPEND, "[{'role':'system','content':[{'type':'text','text':'C'}]}]",
            "[{'role':'system','content':[{'type':'text','text':'C'},{'type':'text','text':'OPS'}]}]"),
        Arguments.of(APPEND, "[{'role':'user','content':'hi'},{'role':'system','content':'late'}]",
            "[{'role':'user','content':'hi'},{'role':'system','content':'late\\n\\nOPS'}]"));
  }

  @ParameterizedTest(name = "chat {0}: {1}")
  @MethodSource("chatCases")
  void chat(PromptMode mode, String messages, String expected) {
    JsonObject body = inject(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':" + messages + "}", mode);
    assertEquals(new JsonArray(q(expected)), body.getJsonArray("messages"));
    long systems = body.getJsonArray("messages").stream()
        .filter(m -> "system".equals(((JsonObject) m).getString("role"))).count();
    assertTrue(systems <= 1, "never two system messages: " + body.encode());
  }

  static Stream<Arguments> anthropicCases() {
    String cached = "[{'type':'text','text':'C','cache_control':{'type':'ephemeral'}}]";
    return Stream.of(
        Arguments.of(PREPEND, null, "'OPS'"),
        Arguments.of(APPEND, null, "'OPS'"),
        Arguments.of(REPLACE, null, "'OPS'"),
        Arguments.of(PREPEND, "'C'", "'OPS\\n\\nC'"),
        Arguments.of(APPEND, "'C'", "'C\\n\\nOPS'"),
        Arguments.of(REPLACE, "'C'", "'OPS'"),
        Arguments.of(PREPEND, cached,
            "[{'type':'text','text':'OPS'},{'type':'text','text':'C','cache_control':{'type':'ephemeral'}}]"),
        Arguments.of(APPEND, cached,
            "[{'type':'text','text':'C','cache_control':{'type':'ephemeral'}},{'type':'text','text':'OPS'}]"),
        Arguments.of(REPLACE, cached, "'OPS'"));
  }

  @ParameterizedTest(name = "anthropic {0}: {1}")
  @MethodSource("anthropicCases")
  void anthropic(PromptMode mode, String system, String expected) {
    String body = "{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'hi'}]"
        + (system == null ? "" : ",'system':" + system) + "}";
    for (Endpoint endpoint : new Endpoint[] {Endpoint.MESSAGES, Endpoint.COUNT_TOKENS}) {
      JsonObject out = inject(endpoint, body, mode);
      assertEquals(Json.decodeValue(q(expected)), out.getValue("system"));
      assertEquals(new JsonArray(q("[{'role':'user','content':'hi'}]")), out.getJsonArray("messages"));
    }
  }

  @ParameterizedTest
  @CsvSource({"PREPEND", "APPEND", "REPLACE"})
  void completionsArePrefixedWhateverTheMode(PromptMode mode) {
    assertEquals("OPS\n\nonce upon", inject(Endpoint.COMPLETIONS, "{\"prompt\":\"once upon\"}", mode).getString("prompt"));
    assertEquals(new JsonArray().add("OPS\n\na").add("OPS\n\nb"),
        inject(Endpoint.COMPLETIONS, "{\"prompt\":[\"a\",\"b\"]}", mode).getJsonArray("prompt"));
    assertEquals(new JsonArray("[1,2,3]"), inject(Endpoint.COMPLETIONS, "{\"prompt\":[1,2,3]}", mode).getJsonArray("prompt"),
        "token prompts cannot take text");
  }

  @Test
  void embeddingsAndMalformedBodiesAreLeftAlone() {
    JsonObject embeddings = new JsonObject("{\"model\":\"m\",\"input\":\"x\"}");
    assertFalse(PromptInjector.inject(Endpoint.EMBEDDINGS, embeddings, new SystemPrompt("OPS", PromptMode.PREPEND, "t")));
    assertEquals(new JsonObject("{\"model\":\"m\",\"input\":\"x\"}"), embeddings);
    JsonObject notAList = new JsonObject("{\"messages\":\"oops\"}");
    assertFalse(PromptInjector.inject(Endpoint.CHAT_COMPLETIONS, notAList, new SystemPrompt("OPS", PromptMode.PREPEND, "t")));
    assertEquals("oops", notAList.getString("messages"));
  }

  static Stream<Arguments> responsesCases() {
    String input = "[{'role':'developer','content':'D'},{'role':'user','content':'hi'}]";
    return Stream.of(
        // mode, client instructions (null: none), expected instructions, expected input
        Arguments.of(PREPEND, null, "OPS", input),
        Arguments.of(APPEND, null, "OPS", input),
        Arguments.of(PREPEND, "'C'", "OPS\n\nC", input),
        Arguments.of(APPEND, "'C'", "C\n\nOPS", input),
        Arguments.of(PREPEND, "'  '", "OPS", input),
        Arguments.of(REPLACE, "'C'", "OPS", "[{'role':'user','content':'hi'}]"),
        Arguments.of(REPLACE, null, "OPS", "[{'role':'user','content':'hi'}]"));
  }

  @ParameterizedTest(name = "responses {0}: {1}")
  @MethodSource("responsesCases")
  void responsesInstructions(PromptMode mode, String instructions, String expected, String expectedInput) {
    String body = "{'model':'m','input':[{'role':'developer','content':'D'},{'role':'user','content':'hi'}]"
        + (instructions == null ? "" : ",'instructions':" + instructions) + "}";
    JsonObject out = inject(Endpoint.RESPONSES, body, mode);
    assertEquals(expected, out.getString("instructions"));
    assertEquals(new JsonArray(q(expectedInput)), out.getJsonArray("input"));
  }

  @Test
  void responsesWithAStringInputOrOddInstructions() {
    JsonObject plain = inject(Endpoint.RESPONSES, "{'model':'m','input':'hi'}", REPLACE);
    assertEquals("OPS", plain.getString("instructions"));
    assertEquals("hi", plain.getString("input"));
    JsonObject odd = new JsonObject("{\"model\":\"m\",\"instructions\":[1]}");
    assertFalse(PromptInjector.inject(Endpoint.RESPONSES, odd, new SystemPrompt("OPS", PromptMode.APPEND, "t")));
    assertEquals(new JsonArray("[1]"), odd.getJsonArray("instructions"));
  }

  private static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
