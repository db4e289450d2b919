package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.GatewayHooks;
import dev.llmproxy.relay.RelayObserver;
import dev.llmproxy.relay.RelayOutcome;
import dev.llmproxy.support.AnthropicStream;
import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.LogCapture;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plain stream relayed without translation is read by every reader of the relay (classification, the
 * mid-stream recovery transcript, token usage) without decoding any of its events: an observer added after the
 * relay's own keeps every event the relay handed on and, when the delivery ends (on the request's event loop,
 * after every reader saw every event), says which ones were decoded. The usage on the access line shows the
 * readers did read the events.
 */
@ExtendWith(VertxExtension.class)
class UndecodedStreamIT {

  /** The events of one delivery, and the data of those that were decoded by the time the delivery ended. */
  private static final class Seen implements RelayObserver {
    private final List<SseEvent> events = new ArrayList<>();
    private final CompletableFuture<List<String>> decoded = new CompletableFuture<>();

    @Override
    public void event(SseEvent upstream, Buffer toClient) {
      events.add(upstream);
    }

    @Override
    public void ended(RelayOutcome outcome) {
      decoded.complete(events.stream().filter(SseEvent::decoded).map(SseEvent::data).toList());
    }

    static GatewayHooks hooks(CompletableFuture<Seen> opened) {
      return new GatewayHooks(UnaryOperator.identity(), request -> { }, observers -> {
        List<RelayObserver.Factory> all = new ArrayList<>(observers);
        all.add(ctx -> {
          Seen seen = new Seen();
          opened.complete(seen);
          return seen;
        });
        return all;
      });
    }
  }

  private static String config(MockUpstream upstream, String protocol) {
    return """
        listen: "127.0.0.1:0"
        backends: [{name: up, url: "%s", protocol: %s}]
        models: {m: [{backend: up, model: real}]}
        fallback: {midstream_recovery: true}
        """.formatted(upstream.url(), protocol);
  }

  /** Chunks as OpenAI streams them when the client asked for usage: {@code "usage": null} on every one. */
  private static List<String> openAiChunks() {
    List<String> events = new ArrayList<>();
    String[] pieces = {"", "Hello", " world", "."};
    for (int i = 0; i < pieces.length; i++) {
      JsonObject delta = i == 0 ? new JsonObject().put("role", "assistant").put("content", "").putNull("refusal")
          : new JsonObject().put("content", pieces[i]);
      events.add(chunk(new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
          .putNull("logprobs").putNull("finish_reason")), null));
    }
    events.add(chunk(new JsonArray().add(new JsonObject().put("index", 0).put("delta", new JsonObject())
        .putNull("logprobs").put("finish_reason", "stop")), null));
    events.add(chunk(new JsonArray(), new JsonObject().put("prompt_tokens", 9).put("completion_tokens", 3)
        .put("total_tokens", 12).put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0))));
    events.add("data: [DONE]\n\n");
    return events;
  }

  private static String chunk(JsonArray choices, JsonObject usage) {
    return "data: " + new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion.chunk")
        .put("created", 1_741_569_952).put("model", "real").put("system_fingerprint", "fp_1").put("choices", choices)
        .put("usage", usage).encode() + "\n\n";
  }

  @Test
  void aPlainOpenAiStreamIsReadWithoutDecodingAnyEvent(Vertx vertx) throws Exception {
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(openAiChunks(), Duration.ZERO, true));
    CompletableFuture<Seen> opened = new CompletableFuture<>();
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "openai"), Seen.hooks(opened));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> r = gw.post("/v1/chat/completions", """
          {"model":"m","stream":true,"stream_options":{"include_usage":true},
           "messages":[{"role":"user","content":"hi"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("Hello world.", ClientStream.of(r.body()).openAiText());
      String line = access.awaitLine("prompt_tokens=9", Duration.ofSeconds(5));
      assertTrue(line.contains("completion_tokens=3"), "the usage chunk was read: " + line);
      assertNoneDecoded(opened, openAiChunks().size());
    }
  }

  @Test
  void aPlainAnthropicStreamIsReadWithoutDecodingAnyEvent(Vertx vertx) throws Exception {
    List<String> events = AnthropicStream.message("msg_1", 25).thinking("sig", "Let me see").text("Hello", " world.")
        .stop("end_turn", 15);
    MockUpstream up = MockUpstream.start(vertx, "up").always(MockUpstream.sse(events, Duration.ZERO, true));
    CompletableFuture<Seen> opened = new CompletableFuture<>();
    try (GatewayHarness gw = GatewayHarness.start(vertx, config(up, "anthropic"), Seen.hooks(opened));
        LogCapture access = LogCapture.of("llmproxy.access")) {
      HttpResponse<String> r = gw.post("/v1/messages", """
          {"model":"m","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("Hello world.", ClientStream.of(r.body()).anthropicText());
      String line = access.awaitLine("prompt_tokens=25", Duration.ofSeconds(5));
      assertTrue(line.contains("completion_tokens=15"), "message_start and message_delta were read: " + line);
      assertNoneDecoded(opened, events.size());
    }
  }

  private static void assertNoneDecoded(CompletableFuture<Seen> opened, int events) throws Exception {
    Seen seen = opened.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(), seen.decoded.get(5, TimeUnit.SECONDS), "no event was decoded");
    assertEquals(events, seen.events.size(), "the relay handed on every event");
  }
}
