package dev.llmproxy.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Node SDK's {@code responses.create} (plain and streamed) and {@code responses.stream()}
 * against aliases the proxy routes (bench/sdk-check/responses-routed.mjs): each alias' first route fails before the
 * first byte — a 500, a {@code response.failed} first event, an {@code error} first event — and the SDK gets the
 * second route's answer; a stream cut after its output makes the SDK raise. CI installs the SDK; a developer
 * machine without it skips, CI never does.
 */
@ExtendWith(VertxExtension.class)
class RoutedResponsesSdkIT {

  private static final Path CHECK_DIR = Path.of("bench", "sdk-check");

  /** The failing backend, by the model its route asks for. */
  private static MockUpstream.Reply failing() {
    return (req, body, up) -> {
      String model = body.toJsonObject().getString("model");
      MockUpstream.Reply reply = switch (model) {
        case "first-streamed" -> ResponsesApi.stream("failed-first.sse", Duration.ofMillis(1));
        case "first-helper" -> MockUpstream.sse(List.of(ResponsesApi.events("text.sse").get(0),
            "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"The server is "
                + "overloaded\",\"param\":null,\"sequence_number\":1}\n\n"), Duration.ofMillis(1), true);
        default -> MockUpstream.status(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
      };
      reply.send(req, body, up);
    };
  }

  @Test
  void officialSdkGetsTheSecondRoutesAnswer(Vertx vertx) throws Exception {
    boolean installed = Files.isDirectory(CHECK_DIR.resolve("node_modules/openai"));
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install the SDKs first: npm ci --prefix bench/sdk-check");
    }
    assumeTrue(installed, "SDKs not installed; run: npm ci --prefix bench/sdk-check");
    MockUpstream fail = MockUpstream.start(vertx, "fail").always(failing());
    MockUpstream good = MockUpstream.start(vertx, "good").always(ResponsesApi.answers(ResponsesApi.TEXT));
    MockUpstream cut = MockUpstream.start(vertx, "cut").always(ResponsesApi.textCutAfter(6));
    try (LogCapture access = LogCapture.of("llmproxy.access");
        GatewayHarness gw = GatewayHarness.start(vertx, """
            listen: "127.0.0.1:0"
            backends:
              - {name: fail, url: "%s"}
              - {name: good, url: "%s"}
              - {name: cut, url: "%s"}
              - {name: local, type: echo}
            models:
              plain: [{backend: fail, model: first-plain, priority: 1}, {backend: good, model: g, priority: 2}]
              streamed: [{backend: fail, model: first-streamed, priority: 1}, {backend: good, model: g, priority: 2}]
              helper: [{backend: fail, model: first-helper, priority: 1}, {backend: good, model: g, priority: 2}]
              streamed500: [{backend: fail, model: first-500, priority: 1}, {backend: good, model: g, priority: 2}]
              cut: [{backend: cut, model: c}]
              echo: [{backend: local, model: echo}]
            fallback: {retry_same_route: 0}
            """.formatted(fail.url(), good.url(), cut.url()))) {
      Process node = new ProcessBuilder("node", "responses-routed.mjs", gw.baseUrl(), ResponsesApi.TEXT)
          .directory(CHECK_DIR.toFile()).redirectErrorStream(true).start();
      assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node timed out");
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, node.exitValue(), output);
      assertTrue(output.contains("routed responses checks passed"), output);

      assertEquals(List.of("first-plain", "first-streamed", "first-helper", "first-500"), models(fail));
      assertEquals(List.of("g", "g", "g", "g"), models(good));
      assertTrue(good.received().stream().allMatch(r -> r.path().equals("/v1/responses")));
      String streamed = access.awaitLine("sdk-streamed", Duration.ofSeconds(5));
      assertTrue(streamed.contains("backend=good") && streamed.contains("attempts=2")
          && streamed.contains("prompt_tokens=36") && streamed.contains("completion_tokens=9"), streamed);
      String plain = access.awaitLine("sdk-plain", Duration.ofSeconds(5));
      assertTrue(plain.contains("prompt_tokens=12") && plain.contains("completion_tokens=4"), plain);
      String broken = access.awaitLine("sdk-cut", Duration.ofSeconds(5));
      assertTrue(broken.contains("backend=cut") && !broken.contains("error=null"), broken);
    } finally {
      fail.close();
      good.close();
      cut.close();
    }
  }

  private static List<String> models(MockUpstream upstream) {
    return upstream.received().stream().map(MockUpstream.Received::json).map(j -> j.getString("model")).toList();
  }
}
