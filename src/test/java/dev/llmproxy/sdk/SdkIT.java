package dev.llmproxy.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void officialSdksWorkThroughTheProxy(Vertx vertx) throws Exception {
    boolean installed = Files.isDirectory(CHECK_DIR.resolve("node_modules/openai"))
        && Files.isDirectory(CHECK_DIR.resolve("node_modules/@anthropic-ai/sdk"));
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install the SDKs first: npm ci --prefix bench/sdk-check");
    }
    assumeTrue(installed, "SDKs not installed; run: npm ci --prefix bench/sdk-check");
    try (GatewayHarness gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models:
          gpt-4: [{backend: local, model: echo-gpt}]
          claude: [{backend: local, model: echo-claude}]
        """)) {
      Process node = new ProcessBuilder("node", "check.mjs", gw.baseUrl(), "gpt-4", "claude")
          .directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
      assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node check timed out");
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, node.exitValue(), output);
      assertTrue(output.contains("all SDK checks passed"), output);
      assertTrue(output.contains("ok openai models.retrieve"), output);
    }
  }
}
