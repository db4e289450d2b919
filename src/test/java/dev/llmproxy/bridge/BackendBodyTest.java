package dev.llmproxy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.BackendType;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.fallback.UnservableRequest;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.Snapshots;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The body each route receives: in its backend's protocol, thinking it would refuse dropped, demoted on request. */
class BackendBodyTest {

  private static final String YAML = """
      listen: "127.0.0.1:0"
      backends:
        - {name: oa, url: "http://127.0.0.1:9", protocol: openai, translation: {max_tokens_field: max_tokens}}
        - {name: an, url: "http://127.0.0.1:9", protocol: anthropic, translation: {default_max_tokens: 1000}}
        - {name: aws, type: bedrock, region: us-east-1, access_key_id: AKIAEXAMPLE, secret_access_key: secret}
      models:
        m: [{backend: oa, model: gpt-real}, {backend: an, model: claude-real}, {backend: aws, model: claude-aws}]
      """;

  private static final PrepareBody NEXT = PrepareBody.REAL_MODEL.forBackendType(BackendType.BEDROCK,
      (ctx, body, route) -> body.copy().put("bedrock", route.model()).toBuffer());

  private Snapshot snapshot;

  @BeforeEach
  void load(@TempDir Path dir) throws Exception {
    snapshot = Snapshots.load(dir, YAML);
  }

  private RequestContext request(Endpoint endpoint, JsonObject body) {
    RequestContext ctx = new RequestContext("trace-1", snapshot, endpoint, null, "127.0.0.1",
        MutableClock.startingNow());
    ctx.body(body);
    ctx.stream(Boolean.TRUE.equals(body.getValue("stream")));
    return ctx;
  }

  private Candidate route(String backend, Boolean demote) {
    Route route = snapshot.aliases().get("m").routes().stream().filter(r -> r.backend().equals(backend))
        .findFirst().orElseThrow();
    route = new Route(route.backend(), route.model(), route.priority(), route.weight(), true, demote);
    return new Candidate("m", snapshot.backends().get(backend), route);
  }

  private static JsonObject prepare(RequestContext ctx, Candidate route) {
    return new BackendBody(NEXT).prepare(ctx, ctx.body(), route).toJsonObject();
  }

  private static JsonObject chat() {
    return new JsonObject("""
        {"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}""");
  }

  @Test
  void aRouteOfTheClientsProtocolGetsTheClientsBodyWithItsModel() {
    RequestContext ctx = request(Endpoint.CHAT_COMPLETIONS, chat());
    assertEquals(chat().put("model", "gpt-real"), prepare(ctx, route("oa", null)));
    assertEquals("m", ctx.body().getString("model"), "the client's parsed body is never changed");
  }

  @Test
  void anOpenAiRequestReachesAnAnthropicRouteTranslatedWithItsBackendsDefaults() {
    JsonObject sent = prepare(request(Endpoint.CHAT_COMPLETIONS, chat()), route("an", null));
    assertEquals("claude-real", sent.getString("model"));
    assertEquals("Be brief.", sent.getString("system"), "the system message, the alias' injected prompt with it");
    assertEquals(1000, sent.getInteger("max_tokens"), "the backend's translation.default_max_tokens");
    assertEquals(new JsonArray().add(new JsonObject().put("role", "user").put("content", new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "hi")))), sent.getJsonArray("messages"));
  }

  @Test
  void anAnthropicRequestReachesAnOpenAiRouteTranslatedWithItsBackendsOptions() {
    JsonObject messages = new JsonObject("""
        {"model":"m","max_tokens":50,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}""");
    JsonObject sent = prepare(request(Endpoint.MESSAGES, messages), route("oa", null));
    assertEquals("gpt-real", sent.getString("model"));
    assertEquals(50, sent.getInteger("max_tokens"), "the backend's translation.max_tokens_field");
    assertEquals(true, sent.getJsonObject("stream_options").getBoolean("include_usage"));
    assertEquals("system", sent.getJsonArray("messages").getJsonObject(0).getString("role"));
  }

  @Test
  void anOpenAiRequestReachesABedrockRouteTranslatedThenInBedrocksFormat() {
    JsonObject sent = prepare(request(Endpoint.CHAT_COMPLETIONS, chat()), route("aws", null));
    assertEquals("claude-aws", sent.getString("bedrock"), "the Bedrock preparation got the translated body");
    assertEquals("Be brief.", sent.getString("system"));
    assertEquals(4096, sent.getInteger("max_tokens"));
  }

  @Test
  void whatTheBackendsProtocolCannotExpressRefusesTheRouteNamingTheField() {
    RequestContext ctx = request(Endpoint.CHAT_COMPLETIONS, chat().put("n", 2));
    UnservableRequest refused = assertThrows(UnservableRequest.class, () -> prepare(ctx, route("an", null)));
    assertEquals("n", refused.param());
    assertTrue(refused.getMessage().startsWith("cannot be translated to anthropic: "), refused.getMessage());
    assertEquals(2, prepare(ctx, route("oa", null)).getInteger("n"), "a route of the client's protocol takes it");
  }

  @Test
  void unsignedThinkingIsDroppedForAnthropicRoutesOnlyAndSignedThinkingKept() {
    JsonObject history = new JsonObject("""
        {"model":"m","max_tokens":50,"messages":[
          {"role":"user","content":"hi"},
          {"role":"assistant","content":[{"type":"thinking","thinking":"from gpt","signature":""},
            {"type":"thinking","thinking":"from claude","signature":"sig"},{"type":"text","text":"hello"}]},
          {"role":"user","content":"again"}]}""");
    RequestContext ctx = request(Endpoint.MESSAGES, history);
    JsonArray kept = prepare(ctx, route("an", null)).getJsonArray("messages").getJsonObject(1).getJsonArray("content");
    assertEquals(2, kept.size(), kept.encode());
    assertEquals("sig", kept.getJsonObject(0).getString("signature"));
    assertEquals(3, history.getJsonArray("messages").getJsonObject(1).getJsonArray("content").size(),
        "the client's body is untouched");
    assertFalse(prepare(ctx, route("oa", null)).encode().contains("thinking_blocks"),
        "an OpenAI route gets no thinking at all (docs/translation.md)");
  }

  @Test
  void aDemotedRouteIsAskedForAStreamInItsOwnProtocol() {
    RequestContext openAi = request(Endpoint.CHAT_COMPLETIONS, chat());
    JsonObject toOpenAi = prepare(openAi, route("oa", true));
    assertEquals(true, toOpenAi.getBoolean("stream"));
    assertEquals(true, toOpenAi.getJsonObject("stream_options").getBoolean("include_usage"), "usage reassembled");
    JsonObject toAnthropic = prepare(openAi, route("an", true));
    assertEquals(true, toAnthropic.getBoolean("stream"));
    assertNull(toAnthropic.getValue("stream_options"), "Anthropic streams always report usage");
    assertNull(prepare(openAi, route("oa", false)).getValue("stream"), "a route that does not demote");
    RequestContext responses = request(Endpoint.RESPONSES, new JsonObject().put("model", "m").put("input", "hi"));
    JsonObject toResponses = prepare(responses, route("oa", true));
    assertEquals(true, toResponses.getBoolean("stream"));
    assertNull(toResponses.getValue("stream_options"), "the Responses API takes no stream_options");
  }

  @Test
  void aStreamingClientIsNotDemoted() {
    RequestContext ctx = request(Endpoint.CHAT_COMPLETIONS, chat().put("stream", true));
    assertNull(prepare(ctx, route("oa", true)).getValue("stream_options"));
  }

  @Test
  void countTokensForAnOpenAiRouteIsNotTranslatedItIsEstimatedInstead() {
    JsonObject count = new JsonObject("""
        {"model":"m","messages":[{"role":"user","content":"hi"}]}""");
    assertEquals(count.copy().put("model", "gpt-real"), prepare(request(Endpoint.COUNT_TOKENS, count),
        route("oa", null)));
  }
}
