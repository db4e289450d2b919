package dev.llmproxy.translation;

import static dev.llmproxy.support.JsonAssert.assertJsonEquals;

import dev.llmproxy.config.BackendTranslation;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenAI → Anthropic → OpenAI keeps a request's meaning, over generated conversations (seeded, so a failure names
 * its seed and replays): system prompt, texts, images, assistant tool calls with their ids and arguments, tool
 * results in order, tools, tool_choice, sampling parameters, limits and the stream flags. Answers likewise keep
 * their meaning through Anthropic → OpenAI → Anthropic and back.
 */
class RoundTripTest {

  static Stream<Long> seeds() {
    return IntStream.range(0, 300).mapToObj(i -> 1000L + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void openAiRequestSurvivesTheRoundTrip(long seed) {
    JsonObject original = RandomConversation.openAi(new Random(seed));
    JsonObject anthropic =
        Translation.request(Protocol.OPENAI, Protocol.ANTHROPIC, original, BackendTranslation.DEFAULTS);
    JsonObject back = Translation.request(Protocol.ANTHROPIC, Protocol.OPENAI, anthropic, BackendTranslation.DEFAULTS);
    assertJsonEquals(meaning(original), meaning(back));
  }

  static Stream<String> answers() {
    return Fixtures.list("response", "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void answersSurviveTheRoundTrip(String name) {
    JsonObject fixture = Fixtures.json("response/" + name);
    Protocol backend = Protocol.parse(fixture.getString("from")).orElseThrow();
    Protocol other = backend == Protocol.OPENAI ? Protocol.ANTHROPIC : Protocol.OPENAI;
    JsonObject once = Translation.response(backend, other, fixture.getJsonObject("input"), "m", 1);
    JsonObject twice = Translation.response(other, backend, once, "m", 1);
    JsonObject thrice = Translation.response(backend, other, twice, "m", 1);
    assertJsonEquals(once, thrice);
  }

  /** What a request means, with the spellings both APIs allow for the same thing made one. */
  static JsonObject meaning(JsonObject request) {
    JsonObject out = request.copy();
    JsonArray messages = new JsonArray();
    for (Object m : request.getJsonArray("messages")) {
      JsonObject message = ((JsonObject) m).copy();
      Object content = message.getValue("content");
      if (content instanceof JsonArray parts
          && parts.stream().allMatch(p -> "text".equals(((JsonObject) p).getValue("type")))) {
        StringBuilder text = new StringBuilder();
        parts.forEach(p -> text.append(text.length() == 0 ? "" : "\n\n").append(((JsonObject) p).getString("text")));
        message.put("content", text.toString());
      }
      if ("".equals(message.getValue("content"))
          || (message.containsKey("content") && message.getValue("content") == null)) {
        message.remove("content");
      }
      if (message.getValue("tool_calls") instanceof JsonArray calls) {
        for (Object c : calls) {
          JsonObject function = ((JsonObject) c).getJsonObject("function");
          function.put("arguments", new JsonObject(function.getString("arguments")));
        }
      }
      messages.add(message);
    }
    out.put("messages", messages);
    if (out.containsKey("tools") && !out.containsKey("tool_choice")) {
      out.put("tool_choice", "auto"); // OpenAI's default when tools are given
    }
    return out;
  }

  /** Random but valid OpenAI chat requests, within what both APIs can express. */
  static final class RandomConversation {

    private static final String[] WORDS = {"weather", "Paris", "tool", "café", "ünïcödé", "\"quoted\"",
        "line\nbreak", "emoji 🚀", "{json-like}", "  padded  ", "42"};

    static JsonObject openAi(Random r) {
      JsonObject body = new JsonObject().put("model", "gpt-" + r.nextInt(5));
      JsonArray messages = new JsonArray();
      if (r.nextBoolean()) {
        messages.add(new JsonObject().put("role", "system").put("content", text(r)));
      }
      int turns = 1 + r.nextInt(4);
      int callId = 0;
      for (int t = 0; t < turns; t++) {
        messages.add(user(r));
        JsonObject assistant = new JsonObject().put("role", "assistant");
        boolean tools = r.nextBoolean();
        if (!tools || r.nextBoolean()) {
          assistant.put("content", text(r));
        } else {
          assistant.put("content", (Object) null);
        }
        if (tools) {
          JsonArray calls = new JsonArray();
          int n = 1 + r.nextInt(3);
          for (int i = 0; i < n; i++) {
            calls.add(new JsonObject().put("id", "call_" + (callId++)).put("type", "function")
                .put("function", new JsonObject().put("name", "tool_" + r.nextInt(3))
                    .put("arguments", arguments(r).encode())));
          }
          assistant.put("tool_calls", calls);
          messages.add(assistant);
          for (int i = 0; i < n; i++) {
            messages.add(new JsonObject().put("role", "tool")
                .put("tool_call_id", calls.getJsonObject(i).getString("id")).put("content", text(r)));
          }
        } else {
          messages.add(assistant);
        }
      }
      messages.add(user(r));
      body.put("messages", messages);
      body.put("max_completion_tokens", 1 + r.nextInt(8000));
      if (r.nextBoolean()) {
        body.put("temperature", r.nextInt(11) / 10.0);
      }
      if (r.nextBoolean()) {
        body.put("top_p", r.nextInt(11) / 10.0);
      }
      if (r.nextBoolean()) {
        body.put("stop", new JsonArray().add("STOP" + r.nextInt(3)).add("END"));
      }
      if (r.nextBoolean()) {
        body.put("user", "user-" + r.nextInt(100));
      }
      if (r.nextBoolean()) {
        body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
      }
      if (r.nextBoolean()) {
        JsonArray tools = new JsonArray();
        for (int i = 0; i < 3; i++) {
          tools.add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "tool_" + i)
              .put("description", "Does " + i).put("parameters", new JsonObject().put("type", "object")
                  .put("properties", new JsonObject().put("q", new JsonObject().put("type", "string")))
                  .put("required", new JsonArray().add("q")))));
        }
        body.put("tools", tools);
        switch (r.nextInt(5)) {
          case 0 -> body.put("tool_choice", "auto");
          case 1 -> body.put("tool_choice", "required");
          case 2 -> body.put("tool_choice", "none");
          case 3 -> body.put("tool_choice", new JsonObject().put("type", "function")
              .put("function", new JsonObject().put("name", "tool_1")));
          default -> { }
        }
        if (r.nextBoolean() && !"none".equals(body.getValue("tool_choice"))) {
          body.put("parallel_tool_calls", false);
        }
      }
      return body;
    }

    private static JsonObject user(Random r) {
      JsonObject user = new JsonObject().put("role", "user");
      if (r.nextInt(3) == 0) {
        JsonArray parts = new JsonArray().add(new JsonObject().put("type", "text").put("text", text(r)));
        parts.add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url",
            r.nextBoolean() ? "https://example.com/" + r.nextInt(100) + ".png"
                : "data:image/png;base64,iVBORw0KGgo=")));
        user.put("content", parts);
      } else {
        user.put("content", text(r));
      }
      return user;
    }

    private static String text(Random r) {
      StringBuilder out = new StringBuilder(WORDS[r.nextInt(WORDS.length)].strip());
      int n = r.nextInt(6);
      for (int i = 0; i < n; i++) {
        out.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
      }
      return out.toString().strip();
    }

    private static JsonObject arguments(Random r) {
      JsonObject args = new JsonObject().put("q", text(r));
      if (r.nextBoolean()) {
        args.put("n", r.nextInt(1000)).put("nested", new JsonObject().put("list", new JsonArray().add(1).add("two")));
      }
      return args;
    }
  }
}
