package dev.llmproxy.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.ReloadResult;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** routing_rules through the port: which backend served proves which alias a rule chose. */
class RoutingRulesIT {

  private Vertx vertx;
  private MockUpstream gpt;
  private MockUpstream cheap;
  private MockUpstream claude;
  private GatewayHarness gateway;

  private String config(String rules) {
    return """
        listen: "127.0.0.1:0"
        client_keys: {team-a: "key-team-a-0123456789", team-b: "key-team-b-0123456789"}
        backends:
          - {name: gpt, url: "%s", protocol: openai, api_key: sk-backend-gpt-123456}
          - {name: cheap, url: "%s", protocol: openai}
          - {name: claude, url: "%s", protocol: anthropic}
        models:
          default: [{backend: gpt, model: gpt-4o-mini}]
          gpt-4o: [{backend: gpt, model: gpt-4o}]
          cheap: [{backend: cheap, model: small}]
          sonnet: [{backend: claude, model: claude-sonnet-4-5}]
        routing_rules:
        %s
        """.formatted(gpt.url(), cheap.url(), claude.url(), rules);
  }

  private static final String RULES = """
          - name: reviewer-to-gpt
            match: {system_prompt: "/You are a code reviewer/", header: {User-Agent: "/claude-cli/"}}
            set_model: gpt-4o
          - name: team-b-cheap
            match: {client_key: team-b}
            set_model: cheap
          - name: office
            match: {client_ip: ["10.0.0.0/8", "127.0.0.1/32"], model: "/^gpt-3/"}
            set_model: cheap
          - name: responses-to-sonnet
            match: {header: {x-route: sonnet}}
            set_model: sonnet
        """;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gpt = MockUpstream.start(vertx, "gpt");
    cheap = MockUpstream.start(vertx, "cheap");
    claude = MockUpstream.start(vertx, "claude");
    gateway = GatewayHarness.start(vertx, config(RULES));
  }

  @AfterEach
  void stop() {
    gateway.close();
    gpt.close();
    cheap.close();
    claude.close();
    vertx.close().await();
  }

  private static String withSystem(String model, String system) {
    return new JsonObject().put("model", model).put("messages", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("role", "system").put("content", system))
        .add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
  }

  private HttpResponse<String> post(String body, String key, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "authorization";
    all[1] = "Bearer " + key;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return gateway.post("/v1/chat/completions", body, all);
  }

  @Test
  void systemPromptAndHeaderTogetherSendASubAgentElsewhere() throws Exception {
    try (LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> reviewer = post(withSystem("default", "You are a code reviewer. Be strict."),
          "key-team-a-0123456789", "User-Agent", "claude-cli/1.0.3", "x-trace-id", "rule-trace-1");
      assertEquals(200, reviewer.statusCode());
      assertEquals("gpt-4o", gpt.last().json().getString("model"));
      String line = access.awaitLine("rule-trace-1", Duration.ofSeconds(5));
      assertTrue(line.contains("routing_rule=reviewer-to-gpt") && line.contains("alias=gpt-4o")
          && line.contains("client_key=team-a"), line);
    }
    // The same prompt from another client (header does not match): no rule, the client's own alias.
    post(withSystem("default", "You are a code reviewer."), "key-team-a-0123456789", "User-Agent", "curl/8");
    assertEquals("gpt-4o-mini", gpt.last().json().getString("model"));
  }

  @Test
  void clientKeyClientIpAndModelRulesAndFirstMatchWins() {
    // team-b matches rule 2 even with a reviewer prompt it lacks the header for.
    assertEquals(200, post(GatewayHarness.chat("default", false), "key-team-b-0123456789").statusCode());
    assertEquals(1, cheap.count());
    // From 127.0.0.1 asking for gpt-3.5-turbo (no alias of that name): rule 3 routes it.
    HttpResponse<String> office = post(GatewayHarness.chat("gpt-3.5-turbo", false), "key-team-a-0123456789");
    assertEquals(200, office.statusCode());
    assertEquals(2, cheap.count());
    // Both rule 1 and rule 2 match: rule 1, first in the list, wins.
    post(withSystem("default", "You are a code reviewer"), "key-team-b-0123456789", "User-Agent", "claude-cli/2");
    assertEquals("gpt-4o", gpt.last().json().getString("model"));
    assertEquals(2, cheap.count());
  }

  @Test
  void anthropicRequestRoutedToAnOpenAiOnlyAliasIsServedThroughTranslation() {
    HttpResponse<String> response = gateway.post("/v1/messages", """
        {"model":"sonnet","max_tokens":10,"system":"You are a code reviewer","messages":[{"role":"user","content":"x"}]}
        """, "x-api-key", "key-team-a-0123456789", "anthropic-version", "2023-06-01", "User-Agent", "claude-cli/1");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject message = new JsonObject(response.body());
    assertEquals("message", message.getString("type"));
    assertEquals("ok from gpt", message.getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals("/v1/chat/completions", gpt.last().path());
    assertEquals("gpt-4o", gpt.last().json().getString("model"));
    assertEquals(0, claude.count());
  }

  @Test
  void aRuleThatSendsARequestWhereNoRouteCanServeItGetsAnErrorNamingTheRule() {
    HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"default\",\"input\":\"x\"}",
        "authorization", "Bearer key-team-a-0123456789", "x-route", "sonnet");
    assertEquals(400, response.statusCode());
    String message = new JsonObject(response.body()).getJsonObject("error").getString("message");
    assertTrue(message.contains("Routing rule \"responses-to-sonnet\"") && message.contains("\"sonnet\"")
        && message.contains("the Responses API is not translated to Anthropic"), message);
    assertEquals(0, gpt.count() + claude.count());
  }

  @Test
  void rulesFollowHotReloads() {
    assertEquals(200, post(GatewayHarness.chat("default", false), "key-team-a-0123456789").statusCode());
    assertEquals("gpt-4o-mini", gpt.last().json().getString("model"));
    ReloadResult applied = gateway.rewriteConfig(config("""
          - name: all-of-team-a
            match: {client_key: [team-a]}
            set_model: cheap
        """));
    assertEquals(ReloadResult.Outcome.APPLIED, applied.outcome(), applied.toString());
    post(GatewayHarness.chat("default", false), "key-team-a-0123456789");
    assertEquals(1, cheap.count());
    ReloadResult rejected = gateway.rewriteConfig(config("""
          - match: {client_key: nobody, system_prompt: "/([unclosed/"}
            set_model: nowhere
        """));
    assertEquals(ReloadResult.Outcome.REJECTED, rejected.outcome());
    String why = String.join("\n", rejected.problems());
    assertTrue(why.contains("routing_rules[0].set_model: unknown model alias \"nowhere\"")
        && why.contains("routing_rules[0].match.client_key: unknown client key \"nobody\"")
        && why.contains("routing_rules[0].match.system_prompt: invalid regular expression"), why);
    post(GatewayHarness.chat("default", false), "key-team-a-0123456789");
    assertEquals(2, cheap.count());  // the previous rules still serve
  }

  @Test
  void clientKeysAuthenticateAndAWrongKeyIsRefused() {
    assertEquals(401, post(GatewayHarness.chat("default", false), "key-team-c-0123456789").statusCode());
    assertEquals(0, gpt.count() + cheap.count());
  }
}
