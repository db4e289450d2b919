package dev.llmproxy.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.translation.Fixtures;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official Node SDKs through translation (bench/sdk-check/translated.mjs): the OpenAI SDK against an
 * Anthropic-protocol mock backend (chat, stream with usage, tools streamed with argument deltas), the Anthropic SDK
 * against an OpenAI-protocol one ({@code messages.create}, {@code messages.stream()}'s final message, tool use),
 * fallback across protocols inside one alias, and demotion. Skips locally without {@code npm ci}; never in CI.
 */
@ExtendWith(VertxExtension.class)
class TranslationSdkIT {

  static final String ANSWER = "Translated answers read like the provider's own.";

  private static List<String> fixture(String name) {
    return Fixtures.events("stream/" + name).stream().map(e -> e.raw().toString()).toList();
  }

  /** An Anthropic model: the recorded tool stream when given tools, the answer streamed, or one message. */
  private static MockUpstream.Reply anthropicModel() {
    return (req, body, up) -> {
      JsonObject request = body.toJsonObject();
      if (request.containsKey("tools")) {
        MockUpstream.sse(fixture("anthropic-tools.sse"), Duration.ZERO, true).send(req, body, up);
      } else if (Boolean.TRUE.equals(request.getValue("stream"))) {
        ScriptedModel.anthropic(ANSWER).send(req, body, up);
      } else {
        MockUpstream.json(200, new JsonObject().put("id", "msg_sdk").put("type", "message").put("role", "assistant")
            .put("model", request.getString("model")).put("stop_reason", "end_turn").put("stop_sequence", null)
            .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", ANSWER)))
            .put("usage", new JsonObject().put("input_tokens", 5).put("output_tokens", 7))).send(req, body, up);
      }
    };
  }

  /** An OpenAI model: the recorded parallel tool stream when given tools, the answer streamed, or one answer. */
  private static MockUpstream.Reply openAiModel() {
    return (req, body, up) -> {
      JsonObject request = body.toJsonObject();
      if (request.containsKey("tools")) {
        MockUpstream.sse(fixture("openai-tools.sse"), Duration.ZERO, true).send(req, body, up);
      } else if (Boolean.TRUE.equals(request.getValue("stream"))) {
        ScriptedModel.openAi(ANSWER).send(req, body, up);
      } else {
        MockUpstream.chat(ANSWER).send(req, body, up);
      }
    };
  }

  @Test
  void officialSdksReadTranslatedAnswersAsTheirProvidersOwn(Vertx vertx) throws Exception {
    SdkIT.assumeSdksInstalled();
    MockUpstream an = MockUpstream.start(vertx, "an").always(anthropicModel());
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(openAiModel());
    MockUpstream broken = MockUpstream.start(vertx, "broken")
        .always(MockUpstream.status(500, "{\"error\":{\"message\":\"down\",\"type\":\"server_error\"}}"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        fallback: {retry_same_route: 0}
        backends:
          - {name: an, url: "%s", protocol: anthropic}
          - {name: oa, url: "%s", protocol: openai}
          - {name: broken, url: "%s", protocol: openai}
        models:
          to-claude: [{backend: an, model: claude-sonnet}]
          to-gpt: [{backend: oa, model: gpt-4o}]
          mixed: [{backend: broken, model: gpt-4o, priority: 1}, {backend: an, model: claude-sonnet, priority: 2}]
          demoted: [{backend: an, model: claude-sonnet, demote_nonstreaming: true}]
        """.formatted(an.url(), oa.url(), broken.url()))) {
      String output = SdkIT.node("translated.mjs", gw.baseUrl(), ANSWER);
      assertTrue(output.contains("all translation checks passed"), output);
      assertEquals(1, broken.count(), "the failing OpenAI route was tried once, then the Anthropic one served");
      assertTrue(an.received().stream().allMatch(r -> r.path().equals("/v1/messages")), "Anthropic's endpoint only");
      assertTrue(oa.received().stream().allMatch(r -> r.path().equals("/v1/chat/completions")));
      assertTrue(an.received().stream().filter(r -> r.json().getString("model").equals("claude-sonnet"))
          .anyMatch(r -> Boolean.TRUE.equals(r.json().getValue("stream")) && !r.json().containsKey("tools")
              && r.json().getJsonArray("messages").size() == 1), "the demoted request asked for a stream");
    }
  }
}
