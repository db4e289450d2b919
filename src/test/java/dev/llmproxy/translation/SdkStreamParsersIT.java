package dev.llmproxy.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Node SDKs read our translated streams with their own SSE parsers and accumulators
 * ({@code chat.completions.stream().finalChatCompletion()}, {@code messages.stream().finalMessage()}), served
 * from a loopback server by bench/sdk-check/parse-stream.mjs. Skips locally without {@code npm ci}; never in CI.
 */
class SdkStreamParsersIT {

  private static final Path CHECK_DIR = Path.of("bench", "sdk-check");

  @TempDir
  Path dir;

  @BeforeAll
  static void sdksInstalled() {
    boolean installed = Files.isDirectory(CHECK_DIR.resolve("node_modules/openai"))
        && Files.isDirectory(CHECK_DIR.resolve("node_modules/@anthropic-ai/sdk"));
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install the SDKs first: npm ci --prefix bench/sdk-check");
    }
    assumeTrue(installed, "SDKs not installed; run: npm ci --prefix bench/sdk-check");
  }

  private JsonObject parse(Protocol client, String upstreamFixture) throws Exception {
    Protocol backend = upstreamFixture.startsWith("anthropic") ? Protocol.ANTHROPIC : Protocol.OPENAI;
    StreamTranslator translator = Translation.stream(backend, client,
        new JsonObject().put("stream_options", new JsonObject().put("include_usage", true)), "route-model", 1);
    Buffer out = Buffer.buffer();
    for (SseEvent e : Fixtures.events("stream/" + upstreamFixture)) {
      translator.onEvent(e.name(), e.data(), out);
    }
    translator.onEnd(out);
    Path file = dir.resolve(upstreamFixture + ".translated");
    Files.write(file, out.getBytes());
    Process node = new ProcessBuilder("node", "parse-stream.mjs", client.id(), file.toAbsolutePath().toString())
        .directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
    assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node timed out");
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, node.exitValue(), output);
    String lastLine = output.substring(output.lastIndexOf('\n') + 1);
    return new JsonObject(lastLine);
  }

  @Test
  void openAiSdkAccumulatesAnAnthropicToolStream() throws Exception {
    JsonObject result = parse(Protocol.OPENAI, "anthropic-tools.sse");
    assertNull(result.getValue("error"), result.encode());
    JsonObject choice = result.getJsonObject("final").getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject message = choice.getJsonObject("message");
    assertEquals("Okay, let's check the weather", message.getString("content"));
    JsonArray calls = message.getJsonArray("tool_calls");
    assertEquals(2, calls.size());
    assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", calls.getJsonObject(0).getString("id"));
    assertEquals(new JsonObject("{\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}"),
        new JsonObject(calls.getJsonObject(0).getJsonObject("function").getString("arguments")));
    assertEquals("get_time", calls.getJsonObject(1).getJsonObject("function").getString("name"));
    assertEquals(661, result.getJsonObject("final").getJsonObject("usage").getInteger("total_tokens"));
  }

  @Test
  void openAiSdkAccumulatesAnAnthropicThinkingStream() throws Exception {
    JsonObject result = parse(Protocol.OPENAI, "anthropic-thinking.sse");
    assertNull(result.getValue("error"), result.encode());
    JsonObject choice = result.getJsonObject("final").getJsonArray("choices").getJsonObject(0);
    assertEquals("stop", choice.getString("finish_reason"));
    assertTrue(choice.getJsonObject("message").getString("content").contains("**21**"));
    // Kept by the SDK's accumulator, so a client can send the signed thinking back on the next turn.
    JsonObject block = choice.getJsonObject("message").getJsonArray("thinking_blocks").getJsonObject(0);
    assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", block.getString("signature"));
    assertTrue(block.getString("thinking").startsWith("I need to find the GCD"));
  }

  @Test
  void anthropicSdkAccumulatesAnOpenAiToolStream() throws Exception {
    JsonObject result = parse(Protocol.ANTHROPIC, "openai-tools.sse");
    assertNull(result.getValue("error"), result.encode());
    JsonObject message = result.getJsonObject("final");
    assertEquals("tool_use", message.getString("stop_reason"));
    JsonArray content = message.getJsonArray("content");
    assertEquals(2, content.size());
    assertEquals(new JsonObject().put("location", "Paris, France"), content.getJsonObject(0).getJsonObject("input"));
    assertEquals(new JsonObject().put("location", "Bogotá, Colombia"),
        content.getJsonObject(1).getJsonObject("input"));
    assertEquals("call_DdmO9pD3xa9XTPNJ32zg2hcA", content.getJsonObject(0).getString("id"));
    assertEquals(17, message.getJsonObject("usage").getInteger("output_tokens"));
    assertEquals(64, message.getJsonObject("usage").getInteger("cache_read_input_tokens"));
  }

  @Test
  void anthropicSdkAccumulatesAnOpenAiReasoningStream() throws Exception {
    JsonObject result = parse(Protocol.ANTHROPIC, "openai-reasoning.sse");
    assertNull(result.getValue("error"), result.encode());
    JsonArray content = result.getJsonObject("final").getJsonArray("content");
    assertEquals("thinking", content.getJsonObject(0).getString("type"));
    assertEquals("9.11 vs 9.8: compare decimals.", content.getJsonObject(0).getString("thinking"));
    assertEquals("9.8 is greater.", content.getJsonObject(1).getString("text"));
    assertEquals("end_turn", result.getJsonObject("final").getString("stop_reason"));
  }

  @Test
  void bothSdksRaiseOnATranslatedInBandError() throws Exception {
    JsonObject openAi = parse(Protocol.OPENAI, "anthropic-error.sse");
    assertNotNull(openAi.getValue("error"), openAi.encode());
    assertTrue(openAi.getJsonObject("error").getString("message").contains("Overloaded"), openAi.encode());
    JsonObject anthropic = parse(Protocol.ANTHROPIC, "openai-error.sse");
    assertNotNull(anthropic.getValue("error"), anthropic.encode());
    assertTrue(anthropic.getJsonObject("error").getString("message").contains("The server had an error"),
        anthropic.encode());
  }
}
