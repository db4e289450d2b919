package dev.llmproxy.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.ReloadResult;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * System prompt injection through the real port, asserted on what the upstream received: each protocol, each
 * mode, prompt files edited while serving.
 */
@ExtendWith(VertxExtension.class)
class PromptInjectionIT {

  private MockUpstream oa;
  private MockUpstream an;

  @BeforeEach
  void upstreams(Vertx vertx) {
    oa = MockUpstream.start(vertx, "oa");
    an = MockUpstream.start(vertx, "an");
  }

  @AfterEach
  void close() {
    oa.close();
    an.close();
  }

  private String config(boolean enabled) {
    return """
        listen: "127.0.0.1:0"
        proxy: {watch_interval: 100ms, enable_system_prompt: %s}
        backends:
          - {name: oa, url: "%s"}
          - {name: an, url: "%s", protocol: anthropic}
        models:
          file:
            - {backend: oa, model: real}
          pre:   {routes: [{backend: oa, model: real}], system_prompt: "OPS"}
          app:   {routes: [{backend: oa, model: real}], system_prompt: "OPS", system_prompt_mode: append}
          rep:   {routes: [{backend: oa, model: real}], system_prompt: "OPS", system_prompt_mode: replace}
          a-pre: {routes: [{backend: an, model: claude}], system_prompt: "OPS"}
          a-app: {routes: [{backend: an, model: claude}], system_prompt: "OPS", system_prompt_mode: append}
          a-rep: {routes: [{backend: an, model: claude}], system_prompt: "OPS", system_prompt_mode: replace}
        """.formatted(enabled, oa.url(), an.url());
  }

  private JsonObject chat(GatewayHarness gw, String alias, boolean clientSystem, boolean stream) {
    JsonArray messages = new JsonArray();
    if (clientSystem) {
      messages.add(new JsonObject().put("role", "system").put("content", "CLIENT"));
    }
    messages.add(new JsonObject().put("role", "user").put("content", "hi"));
    var r = gw.post("/v1/chat/completions",
        new JsonObject().put("model", alias).put("stream", stream).put("messages", messages).encode());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject received = oa.last().json();
    assertEquals("real", received.getString("model"));
    return received;
  }

  private static List<String> systemTexts(JsonObject chatBody) {
    return chatBody.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("role").equals("system")).map(m -> m.getString("content")).toList();
  }

  @Test
  void openAiChatInEachMode(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      assertEquals(List.of("OPS\n\nCLIENT"), systemTexts(chat(gw, "pre", true, false)));
      assertEquals(List.of("CLIENT\n\nOPS"), systemTexts(chat(gw, "app", true, false)));
      assertEquals(List.of("OPS"), systemTexts(chat(gw, "rep", true, false)));
      for (String alias : List.of("pre", "app", "rep")) {
        JsonObject received = chat(gw, alias, false, false);
        assertEquals(new JsonObject().put("role", "system").put("content", "OPS"), received.getJsonArray("messages").getJsonObject(0));
        assertEquals(2, received.getJsonArray("messages").size());
      }
      // Streams get the same treatment (the body is prepared once, before any attempt).
      assertEquals(List.of("OPS\n\nCLIENT"), systemTexts(chat(gw, "pre", true, true)));
    }
  }

  @Test
  void anthropicSystemStringAndBlocksInEachMode(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      Object none = null;
      String text = "CLIENT";
      JsonArray blocks = new JsonArray().add(new JsonObject().put("type", "text").put("text", "CLIENT")
          .put("cache_control", new JsonObject().put("type", "ephemeral")));
      JsonObject ours = new JsonObject().put("type", "text").put("text", "OPS");

      assertEquals("OPS", messages(gw, "a-pre", none));
      assertEquals("OPS\n\nCLIENT", messages(gw, "a-pre", text));
      assertEquals("CLIENT\n\nOPS", messages(gw, "a-app", text));
      assertEquals("OPS", messages(gw, "a-rep", text));
      assertEquals(new JsonArray().add(ours).add(blocks.getValue(0)), messages(gw, "a-pre", blocks));
      assertEquals(new JsonArray().add(blocks.getValue(0)).add(ours), messages(gw, "a-app", blocks));
      assertEquals("OPS", messages(gw, "a-rep", blocks));
    }
  }

  @Test
  void responsesInstructionsInEachMode(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      assertEquals("OPS\n\nCLIENT", responses(gw, "pre", "CLIENT", false).getString("instructions"));
      assertEquals("CLIENT\n\nOPS", responses(gw, "app", "CLIENT", true).getString("instructions"));
      JsonObject replaced = responses(gw, "rep", "CLIENT", false);
      assertEquals("OPS", replaced.getString("instructions"));
      assertEquals(new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")),
          replaced.getJsonArray("input"), "replace drops the client's developer message, as for chat");
      JsonObject none = responses(gw, "pre", null, false);
      assertEquals("OPS", none.getString("instructions"));
      assertEquals(2, none.getJsonArray("input").size(), "the conversation itself is untouched");
    }
  }

  private JsonObject responses(GatewayHarness gw, String alias, String instructions, boolean stream) {
    JsonObject body = new JsonObject().put("model", alias).put("stream", stream).put("input", new JsonArray()
        .add(new JsonObject().put("role", "developer").put("content", "DEV"))
        .add(new JsonObject().put("role", "user").put("content", "hi")));
    if (instructions != null) {
      body.put("instructions", instructions);
    }
    var r = gw.post("/v1/responses", body.encode());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("/v1/responses", oa.last().path());
    JsonObject received = oa.last().json();
    assertEquals("real", received.getString("model"));
    return received;
  }

  private Object messages(GatewayHarness gw, String alias, Object system) {
    JsonObject body = new JsonObject().put("model", alias).put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    if (system != null) {
      body.put("system", system);
    }
    var r = gw.post("/v1/messages", body.encode(), "anthropic-version", "2023-06-01");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject received = an.last().json();
    assertEquals("/v1/messages", an.last().path());
    assertEquals(new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")),
        received.getJsonArray("messages"), "the conversation itself is untouched");
    return received.getValue("system");
  }

  @Test
  void legacyCompletionsArePrefixedAndEmbeddingsUntouched(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      for (String alias : List.of("pre", "app", "rep")) {
        var r = gw.post("/v1/completions", new JsonObject().put("model", alias).put("prompt", "Once upon").encode());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("OPS\n\nOnce upon", oa.last().json().getString("prompt"));
      }
      String embedding = new JsonObject().put("model", "pre").put("input", "text").encode();
      assertEquals(200, gw.post("/v1/embeddings", embedding).statusCode());
      assertEquals(new JsonObject(embedding).put("model", "real"), oa.last().json());
    }
  }

  @Test
  void promptFileEditedLiveTakesEffectOnTheNextRequest(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      assertEquals(List.of("CLIENT"), systemTexts(chat(gw, "file", true, false)), "no file: no injection");

      ReloadResult first = gw.writePrompt("file", "Version one.\n");
      assertTrue(first.applied(), first.toString());
      assertEquals(List.of("file"), first.diff().promptsChanged());
      assertEquals(List.of("Version one.\n\nCLIENT"), systemTexts(chat(gw, "file", true, false)));

      gw.writePrompt("file", "Version two: ünïcödé ✓");
      assertEquals(List.of("Version two: ünïcödé ✓\n\nCLIENT"), systemTexts(chat(gw, "file", true, false)));

      gw.writePrompt("file", null);
      assertEquals(List.of("CLIENT"), systemTexts(chat(gw, "file", true, false)), "deleted file: no injection");
    }
  }

  @Test
  void disablingInjectionLiveStopsIt(Vertx vertx) {
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(true))) {
      assertEquals(List.of("OPS\n\nCLIENT"), systemTexts(chat(gw, "pre", true, false)));
      ReloadResult off = gw.rewriteConfig(config(false));
      assertTrue(off.applied(), off.toString());
      assertTrue(off.diff().promptsChanged().containsAll(List.of("pre", "app", "rep")), off.diff().summary());
      assertEquals(List.of("CLIENT"), systemTexts(chat(gw, "pre", true, false)));
      assertFalse(an.count() > 0);
      String all = oa.received().stream().map(r -> r.body().toString()).collect(Collectors.joining());
      assertTrue(all.contains("OPS"));
    }
  }
}
