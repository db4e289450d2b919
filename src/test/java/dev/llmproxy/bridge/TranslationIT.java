package dev.llmproxy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockBedrock;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenAI ⇄ Anthropic translation through the real port: a client of either protocol served by a route of the
 * other — requests as the mock backends received them, answers, streams and errors as the client got them,
 * fallback across protocols inside one alias, what cannot be translated, count_tokens, Bedrock and the echo
 * backend declared with a protocol.
 */
@ExtendWith(VertxExtension.class)
class TranslationIT {

  static final String ANTHROPIC_MESSAGE = """
      {"id":"msg_01","type":"message","role":"assistant","model":"claude-real-2025","content":[
        {"type":"text","text":"Bonjour"}],"stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":21,"output_tokens":3,"cache_read_input_tokens":4}}""";

  static final String ANSWER = "The quick brown fox jumps over the lazy dog.";

  private static String messages(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  @Test
  void anOpenAiClientIsServedByAnAnthropicRouteWithTheAliasPromptAndTheBackendsDefaults(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.json(200, new JsonObject(ANTHROPIC_MESSAGE)));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: an, url: "%s", protocol: anthropic, api_key: sk-ant-backend, translation: {default_max_tokens: 512}}
        models:
          m: {routes: [{backend: an, model: claude-real}], system_prompt: "Answer in French."}
        """.formatted(an.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", """
          {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}""",
          "Authorization", "Bearer client-key");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("an", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("claude-real", r.headers().firstValue("X-LLM-Proxy-Model").orElseThrow());
      assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
      JsonObject answer = new JsonObject(r.body());
      assertEquals("chat.completion", answer.getString("object"));
      assertEquals("msg_01", answer.getString("id"));
      assertEquals("claude-real-2025", answer.getString("model"), "the model the upstream reported");
      JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
      assertEquals("Bonjour", choice.getJsonObject("message").getString("content"));
      assertEquals("stop", choice.getString("finish_reason"));
      assertEquals(new JsonObject("{\"prompt_tokens\":25,\"completion_tokens\":3,\"total_tokens\":28,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":4}}"), answer.getJsonObject("usage"));

      MockUpstream.Received sent = an.last();
      assertEquals("/v1/messages", sent.path());
      assertEquals("sk-ant-backend", sent.header("x-api-key"));
      assertEquals("2023-06-01", sent.header("anthropic-version"));
      assertNull(sent.header("authorization"), "the client's key never goes upstream");
      JsonObject body = sent.json();
      assertEquals("claude-real", body.getString("model"));
      assertEquals(512, body.getInteger("max_tokens"), "backends[].translation.default_max_tokens");
      String system = body.getString("system");
      assertTrue(system.contains("Answer in French.") && system.contains("Be brief."), "the injected prompt"
          + " and the client's, in the system field: " + system);
      assertEquals(new JsonArray("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]"),
          body.getJsonArray("messages"));
    }
  }

  @Test
  void anAnthropicClientIsServedByAnOpenAiRoute(Vertx vertx) {
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(MockUpstream.chat("hello there"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s", protocol: openai, api_key: sk-openai-backend}]
        models: {m: [{backend: oa, model: gpt-real}]}
        """.formatted(oa.url()))) {
      HttpResponse<String> r = gw.post("/v1/messages", messages("m", false), "anthropic-version", "2023-06-01");
      assertEquals(200, r.statusCode(), r.body());
      JsonObject message = new JsonObject(r.body());
      assertEquals("message", message.getString("type"));
      assertEquals("hello there", message.getJsonArray("content").getJsonObject(0).getString("text"));
      assertEquals("end_turn", message.getString("stop_reason"));
      assertEquals(3, message.getJsonObject("usage").getInteger("input_tokens"));
      assertEquals(2, message.getJsonObject("usage").getInteger("output_tokens"));

      MockUpstream.Received sent = oa.last();
      assertEquals("/v1/chat/completions", sent.path());
      assertEquals("Bearer sk-openai-backend", sent.header("authorization"));
      assertEquals("gpt-real", sent.json().getString("model"));
      assertEquals(100, sent.json().getInteger("max_completion_tokens"));
    }
  }

  @Test
  void streamsAreTranslatedEventByEventBothWays(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always(ScriptedModel.anthropic(ANSWER));
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(ScriptedModel.openAi(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic}, {name: oa, url: "%s", protocol: openai}]
        models: {to-claude: [{backend: an, model: c}], to-gpt: [{backend: oa, model: g}]}
        """.formatted(an.url(), oa.url()))) {
      HttpResponse<String> openAi = gw.post("/v1/chat/completions", """
          {"model":"to-claude","stream":true,"stream_options":{"include_usage":true},
           "messages":[{"role":"user","content":"hi"}]}""");
      assertEquals(200, openAi.statusCode(), openAi.body());
      assertTrue(openAi.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
      ClientStream chunks = ClientStream.of(openAi.body());
      assertEquals(ANSWER, chunks.openAiText());
      assertTrue(openAi.body().endsWith("data: [DONE]\n\n"), openAi.body());
      JsonObject usage = chunks.last().getJsonObject("usage");
      assertEquals(10 + ScriptedModel.pieces(ANSWER).size(), usage.getInteger("total_tokens"), chunks.last().encode());
      assertEquals("stop", chunks.data().stream().map(c -> c.getJsonArray("choices"))
          .filter(c -> !c.isEmpty() && c.getJsonObject(0).getValue("finish_reason") != null)
          .findFirst().orElseThrow().getJsonObject(0).getString("finish_reason"));
      assertEquals(true, an.last().json().getBoolean("stream"));

      HttpResponse<String> anthropic = gw.post("/v1/messages", messages("to-gpt", true));
      assertEquals(200, anthropic.statusCode(), anthropic.body());
      ClientStream events = ClientStream.of(anthropic.body());
      assertEquals(ANSWER, events.anthropicText());
      assertEquals(1, events.ofType("message_start").size());
      JsonObject delta = events.ofType("message_delta").get(0);
      assertEquals("end_turn", delta.getJsonObject("delta").getString("stop_reason"));
      assertEquals(ScriptedModel.pieces(ANSWER).size(), delta.getJsonObject("usage").getInteger("output_tokens"));
      assertEquals("message_stop", events.last().getString("type"));
      assertEquals(true, oa.last().json().getJsonObject("stream_options").getBoolean("include_usage"),
          "asked for the usage an Anthropic client always gets");
    }
  }

  @Test
  void upstreamErrorsReachTheClientInItsProtocolsStatusAndShape(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always((req, body, up) -> req.response().setStatusCode(529)
        .putHeader("content-type", "application/json").putHeader("retry-after", "7")
        .end("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    MockUpstream oa = MockUpstream.start(vertx, "oa").always((req, body, up) -> req.response().setStatusCode(503)
        .putHeader("content-type", "application/json").putHeader("retry-after", "3")
        .end("{\"error\":{\"message\":\"The engine is overloaded\",\"type\":\"server_error\",\"code\":null}}"));
    // Detection off for these statuses: the provider's error is what the client gets (not the proxy's 502).
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        detection: {error_codes: [500], error_patterns: []}
        backends: [{name: an, url: "%s", protocol: anthropic}, {name: oa, url: "%s", protocol: openai}]
        models: {to-claude: [{backend: an, model: c}], to-gpt: [{backend: oa, model: g}]}
        """.formatted(an.url(), oa.url()))) {
      HttpResponse<String> openAi = gw.post("/v1/chat/completions", GatewayHarness.chat("to-claude", false));
      assertEquals(503, openAi.statusCode(), openAi.body());
      assertEquals("7", openAi.headers().firstValue("retry-after").orElseThrow());
      JsonObject error = new JsonObject(openAi.body()).getJsonObject("error");
      assertEquals("overloaded", error.getString("code"));
      assertEquals("Overloaded", error.getString("message"));

      HttpResponse<String> anthropic = gw.post("/v1/messages", messages("to-gpt", false));
      assertEquals(529, anthropic.statusCode(), anthropic.body());
      assertEquals("3", anthropic.headers().firstValue("retry-after").orElseThrow());
      JsonObject body = new JsonObject(anthropic.body());
      assertEquals("error", body.getString("type"));
      assertEquals("overloaded_error", body.getJsonObject("error").getString("type"));
      assertEquals("The engine is overloaded", body.getJsonObject("error").getString("message"));
    }
  }

  @Test
  void anOpenAiRouteThatFailsFallsBackToAnAnthropicRouteForAnOpenAiClient(Vertx vertx) {
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(MockUpstream.status(500, "{\"error\":{\"message\":\"boom\"}}"));
    MockUpstream an = MockUpstream.start(vertx, "an").always(ScriptedModel.anthropic(ANSWER));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        fallback: {retry_same_route: 0}
        backends: [{name: oa, url: "%s", protocol: openai}, {name: an, url: "%s", protocol: anthropic}]
        models: {mixed: [{backend: oa, model: gpt, priority: 1}, {backend: an, model: claude, priority: 2}]}
        """.formatted(oa.url(), an.url()))) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", GatewayHarness.chat("mixed", true));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("an", r.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("2", r.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());
      assertEquals(ANSWER, ClientStream.of(r.body()).openAiText());
      assertEquals(1, oa.count());
      assertEquals("/v1/messages", an.last().path());
    }
  }

  @Test
  void whatTheOtherProtocolCannotExpressGoesToARouteThatCanOrIsA400NamingTheField(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.json(200, new JsonObject(ANTHROPIC_MESSAGE)));
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(MockUpstream.chat("two of them"));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic}, {name: oa, url: "%s", protocol: openai}]
        models:
          mixed: [{backend: an, model: claude, priority: 1}, {backend: oa, model: gpt, priority: 2}]
          claude-only: [{backend: an, model: claude}]
        """.formatted(an.url(), oa.url()))) {
      String twoChoices = "{\"model\":\"%s\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      HttpResponse<String> served = gw.post("/v1/chat/completions", twoChoices.formatted("mixed"));
      assertEquals(200, served.statusCode(), served.body());
      assertEquals("oa", served.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      assertEquals("1", served.headers().firstValue("X-LLM-Proxy-Attempts").orElseThrow());
      assertEquals(2, oa.last().json().getInteger("n"));

      HttpResponse<String> refused = gw.post("/v1/chat/completions", twoChoices.formatted("claude-only"));
      assertEquals(400, refused.statusCode(), refused.body());
      JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
      assertEquals("n", error.getString("param"));
      assertTrue(error.getString("message").contains("an/claude (cannot be translated to anthropic: 'n' > 1"),
          error.getString("message"));
      assertEquals(0, an.count(), "nothing was sent to the Anthropic backend");
    }
  }

  @Test
  void theResponsesApiSkipsAnthropicRoutesWithTheReason(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an");
    MockUpstream oa = MockUpstream.start(vertx, "oa").always(MockUpstream.json(200, new JsonObject()
        .put("id", "resp_1").put("object", "response").put("status", "completed")));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic}, {name: oa, url: "%s", protocol: openai}]
        models:
          mixed: [{backend: an, model: claude, priority: 1}, {backend: oa, model: gpt, priority: 2}]
          claude-only: [{backend: an, model: claude}]
        """.formatted(an.url(), oa.url()))) {
      HttpResponse<String> refused = gw.post("/v1/responses", "{\"model\":\"claude-only\",\"input\":\"hi\"}");
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("an/claude (backend speaks anthropic, request is openai; the Responses API"
          + " is not translated to Anthropic"), refused.body());
      HttpResponse<String> served = gw.post("/v1/responses", "{\"model\":\"mixed\",\"input\":\"hi\"}");
      assertEquals(200, served.statusCode(), served.body());
      assertEquals("/v1/responses", oa.last().path());
      assertEquals(0, an.count());
    }
  }

  @Test
  void countTokensOnAnOpenAiRouteIsALabelledEstimateAndAnAnthropicRoutesCountIsItsOwn(Vertx vertx) {
    MockUpstream oa = MockUpstream.start(vertx, "oa");
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.json(200,
        new JsonObject().put("input_tokens", 42)));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: oa, url: "%s", protocol: openai}, {name: an, url: "%s", protocol: anthropic}]
        models:
          gpt: [{backend: oa, model: gpt-real}]
          claude-first: [{backend: an, model: claude, priority: 1}, {backend: oa, model: gpt-real, priority: 2}]
        """.formatted(oa.url(), an.url()))) {
      String request = """
          {"model":"%s","system":"You are terse.","messages":[{"role":"user","content":"How many tokens is this?"}]}""";
      HttpResponse<String> estimated = gw.post("/v1/messages/count_tokens", request.formatted("gpt"));
      assertEquals(200, estimated.statusCode(), estimated.body());
      assertEquals("estimate; tokenizer=o200k_base",
          estimated.headers().firstValue(EstimatedTokenCount.HEADER).orElseThrow());
      assertEquals("oa", estimated.headers().firstValue("X-LLM-Proxy-Backend").orElseThrow());
      long tokens = new JsonObject(estimated.body()).getLong("input_tokens");
      assertTrue(tokens > 10 && tokens < 40, estimated.body());
      assertEquals(0, oa.count(), "OpenAI has no count_tokens: nothing is sent");

      HttpResponse<String> counted = gw.post("/v1/messages/count_tokens", request.formatted("claude-first"));
      assertEquals(200, counted.statusCode(), counted.body());
      assertEquals(42, new JsonObject(counted.body()).getInteger("input_tokens"));
      assertTrue(counted.headers().firstValue(EstimatedTokenCount.HEADER).isEmpty(), "the provider's own count");
      assertEquals("/v1/messages/count_tokens", an.last().path());
    }
  }

  @Test
  void aBedrockRouteServesAnOpenAiClientTranslatedThenInBedrocksFormat(Vertx vertx) {
    MockBedrock bedrock = MockBedrock.start(vertx, "us-west-2", "AKIDEXAMPLE", "secret-example");
    try (bedrock; GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: aws, type: bedrock, region: us-west-2, url: "%s", access_key_id: AKIDEXAMPLE,
             secret_access_key: "secret-example"}
        models: {claude: [{backend: aws, model: "anthropic.claude-3-5-sonnet-20240620-v1:0"}]}
        """.formatted(bedrock.url()))) {
      bedrock.stream(MockBedrock.chunks(MockBedrock.helloWorldEvents()), 9);
      HttpResponse<String> streamed = gw.post("/v1/chat/completions", """
          {"model":"claude","stream":true,"messages":[{"role":"system","content":"Be kind."},
           {"role":"user","content":"hi"}]}""");
      assertEquals(200, streamed.statusCode(), streamed.body());
      assertEquals("Hello world", ClientStream.of(streamed.body()).openAiText());
      assertTrue(streamed.body().endsWith("data: [DONE]\n\n"), streamed.body());
      MockUpstream.Received sent = bedrock.upstream().last();
      assertEquals("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream", sent.path());
      JsonObject body = sent.json();
      assertEquals("bedrock-2023-05-31", body.getString("anthropic_version"));
      assertEquals("Be kind.", body.getString("system"));
      assertEquals(4096, body.getInteger("max_tokens"));
      assertFalse(body.containsKey("model") || body.containsKey("stream"), body.encode());
      assertEquals(List.of(), bedrock.signatureFailures());

      bedrock.message(new JsonObject(ANTHROPIC_MESSAGE));
      HttpResponse<String> whole = gw.post("/v1/chat/completions", GatewayHarness.chat("claude", false));
      assertEquals(200, whole.statusCode(), whole.body());
      assertEquals("Bonjour", new JsonObject(whole.body()).getJsonArray("choices").getJsonObject(0)
          .getJsonObject("message").getString("content"));
    }
  }

  @Test
  void unsignedThinkingNeverReachesAnAnthropicBackend(Vertx vertx) {
    MockUpstream an = MockUpstream.start(vertx, "an").always(MockUpstream.json(200, new JsonObject(ANTHROPIC_MESSAGE)));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: an, url: "%s", protocol: anthropic}]
        models: {claude: [{backend: an, model: c}]}
        """.formatted(an.url()))) {
      // The assistant turn came from an OpenAI route earlier: its thinking reached this client unsigned.
      HttpResponse<String> r = gw.post("/v1/messages", """
          {"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"hi"},
           {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":""},
             {"type":"text","text":"hello"}]},
           {"role":"user","content":"and?"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      JsonArray turn = an.last().json().getJsonArray("messages").getJsonObject(1).getJsonArray("content");
      assertEquals(new JsonArray("[{\"type\":\"text\",\"text\":\"hello\"}]"), turn);
    }
  }

  @Test
  void anEchoBackendDeclaredAnthropicAnswersOpenAiClientsThroughTranslation(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: claude-echo, type: echo, protocol: anthropic}]
        models: {mixed: [{backend: claude-echo, model: echo-claude}]}
        """)) {
      HttpResponse<String> whole = gw.post("/v1/chat/completions", GatewayHarness.chat("mixed", false));
      assertEquals(200, whole.statusCode(), whole.body());
      JsonObject answer = new JsonObject(whole.body());
      assertEquals("chat.completion", answer.getString("object"));
      assertTrue(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")
          .startsWith("[echo] hi"), whole.body());
      HttpResponse<String> streamed = gw.post("/v1/chat/completions", GatewayHarness.chat("mixed", true));
      assertEquals(200, streamed.statusCode(), streamed.body());
      assertTrue(ClientStream.of(streamed.body()).openAiText().startsWith("[echo] hi"), streamed.body());
      assertTrue(streamed.body().endsWith("data: [DONE]\n\n"), streamed.body());
    }
  }
}
