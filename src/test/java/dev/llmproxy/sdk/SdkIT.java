package dev.llmproxy.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI and Anthropic Node SDKs against a live gateway (bench/sdk-check/check.mjs): chat, streams,
 * embeddings, model listing and retrieval, and error classes. CI installs the SDKs ({@code npm ci}); a developer machine
 * without them skips, but CI never does.
 */
@ExtendWith(VertxExtension.class)
class SdkIT {

  private static final Path CHECK_DIR = Path.of("bench", "sdk-check");

  static void assumeSdksInstalled() {
    boolean installed = Files.isDirectory(CHECK_DIR.resolve("node_modules/openai"))
        && Files.isDirectory(CHECK_DIR.resolve("node_modules/@anthropic-ai/sdk"));
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install the SDKs first: npm ci --prefix bench/sdk-check");
    }
    assumeTrue(installed, "SDKs not installed; run: npm ci --prefix bench/sdk-check");
  }

  /** Runs a script of bench/sdk-check, which must pass ({@code checks passed}); @return its output */
  static String node(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    Process node = new ProcessBuilder(command).directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
    assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node " + script + " timed out");
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, node.exitValue(), output);
    assertTrue(output.contains("checks passed"), output);
    return output;
  }

  @Test
  void officialSdksWorkThroughTheProxy(Vertx vertx) throws Exception {
    assumeSdksInstalled();
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models:
          gpt-4: [{backend: local, model: echo-gpt}]
          claude: [{backend: local, model: echo-claude}]
        """)) {
      String output = node("check.mjs", gw.baseUrl(), "gpt-4", "claude");
      assertTrue(output.contains("all SDK checks passed"), output);
      assertTrue(output.contains("ok openai models.retrieve"), output);
    }
  }

  /**
   * Mid-stream recovery as the SDKs see it: each alias' first route cuts its stream after part of the answer and
   * the next route finishes it; the OpenAI SDK's stream helper and the Anthropic SDK's {@code messages.stream()}
   * must each assemble one answer equal to the whole text (bench/sdk-check/recovery.mjs).
   */
  @Test
  void officialSdksReadARecoveredStreamAsOneAnswer(Vertx vertx) throws Exception {
    assumeSdksInstalled();
    String answer = "The quick brown fox jumps over the lazy dog, then naps in the sun until the evening comes.";
    MockUpstream openAiCut = MockUpstream.start(vertx, "openai-cut")
        .always(ScriptedModel.openAi(answer).breaking(7, ScriptedModel.Break.RESET));
    MockUpstream openAiNext = MockUpstream.start(vertx, "openai-next").always(ScriptedModel.openAi(answer));
    MockUpstream anthropicCut = MockUpstream.start(vertx, "anthropic-cut")
        .always(ScriptedModel.anthropic(answer).breaking(9, ScriptedModel.Break.RESET));
    MockUpstream anthropicNext = MockUpstream.start(vertx, "anthropic-next").always(ScriptedModel.anthropic(answer));
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends:
          - {name: openai-cut, url: "%s", protocol: openai}
          - {name: openai-next, url: "%s", protocol: openai}
          - {name: anthropic-cut, url: "%s", protocol: anthropic}
          - {name: anthropic-next, url: "%s", protocol: anthropic}
        models:
          gpt: [{backend: openai-cut, model: m1, priority: 1}, {backend: openai-next, model: m2, priority: 2}]
          claude: [{backend: anthropic-cut, model: c1, priority: 1}, {backend: anthropic-next, model: c2, priority: 2}]
        fallback: {retry_same_route: 0}
        """.formatted(openAiCut.url(), openAiNext.url(), anthropicCut.url(), anthropicNext.url()))) {
      node("recovery.mjs", gw.baseUrl(), "gpt", "claude", answer);
      assertEquals(1, openAiNext.count(), "the OpenAI answer was finished by the next route");
      assertEquals(1, anthropicNext.count(), "the Anthropic answer was finished by the next route");
    }
  }
}
