package dev.llmproxy.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.relay.EventTransformer;
import dev.llmproxy.relay.EventTransformer.NonStream;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.Snapshots;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A route's answer as the client receives it: untouched in its own protocol, translated from the other. */
class AnswerTranslationTest {

  private Snapshot snapshot;

  @BeforeEach
  void load(@TempDir Path dir) throws Exception {
    snapshot = Snapshots.load(dir, """
        listen: "127.0.0.1:0"
        backends:
          - {name: oa, url: "http://127.0.0.1:9", protocol: openai}
          - {name: an, url: "http://127.0.0.1:9", protocol: anthropic}
        models: {m: [{backend: oa, model: gpt-real}, {backend: an, model: claude-real}]}
        """);
  }

  private EventTransformer forRoute(Endpoint endpoint, String backend) {
    RequestContext ctx = new RequestContext("trace-1", snapshot, endpoint, null, "127.0.0.1",
        MutableClock.startingNow());
    ctx.body(new JsonObject().put("model", "m"));
    var route = snapshot.aliases().get("m").routes().stream().filter(r -> r.backend().equals(backend)).findFirst()
        .orElseThrow();
    return AnswerTranslation.forRoute(ctx, new Candidate("m", snapshot.backends().get(backend), route));
  }

  private static NonStream answer(int status, String body, String... headers) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap().set("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      map.set(headers[i], headers[i + 1]);
    }
    return new NonStream(status, map, Buffer.buffer(body));
  }

  @Test
  void aRouteOfTheClientsProtocolIsRelayedByteForByte() {
    EventTransformer same = forRoute(Endpoint.CHAT_COMPLETIONS, "oa");
    assertSame(EventTransformer.IDENTITY, same);
    SseEvent event = SseEvent.of(null, "{\"choices\":[]}");
    assertSame(event.raw(), same.event(event, StreamEventKind.META));
    assertSame(EventTransformer.IDENTITY, forRoute(Endpoint.COUNT_TOKENS, "oa"),
        "count_tokens on an OpenAI route is the proxy's own answer, already in Anthropic's shape");
  }

  @Test
  void anAnthropicAnswerReachesAnOpenAiClientAsAChatCompletion() {
    NonStream out = forRoute(Endpoint.CHAT_COMPLETIONS, "an").whole(answer(200, """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-real","content":[{"type":"text","text":"hi"}],
         "stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":2}}"""));
    JsonObject body = out.body().toJsonObject();
    assertEquals(200, out.status());
    assertEquals("chat.completion", body.getString("object"));
    assertEquals("hi", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals(7, body.getJsonObject("usage").getInteger("total_tokens"));
  }

  @Test
  void anthropicOverloadIsOpenAis503AndRetryAfterIsKept() {
    NonStream out = forRoute(Endpoint.CHAT_COMPLETIONS, "an").whole(answer(529, """
        {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", "retry-after", "7"));
    assertEquals(503, out.status());
    assertEquals("7", out.headers().get("retry-after"));
    JsonObject error = out.body().toJsonObject().getJsonObject("error");
    assertEquals("overloaded", error.getString("code"));
    assertEquals("Overloaded", error.getString("message"));
  }

  @Test
  void openAis503IsAnthropicsOverloaded529() {
    NonStream out = forRoute(Endpoint.MESSAGES, "oa").whole(answer(503, """
        {"error":{"message":"The engine is currently overloaded","type":"server_error"}}""", "retry-after", "3"));
    assertEquals(529, out.status());
    assertEquals("3", out.headers().get("retry-after"));
    assertEquals("overloaded_error", out.body().toJsonObject().getJsonObject("error").getString("type"));
  }

  @Test
  void aSuccessThatIsNotTheProtocolsJsonBecomesA502InTheClientsShape() {
    NonStream out = forRoute(Endpoint.MESSAGES, "oa").whole(answer(200, "<html>gateway</html>"));
    assertEquals(502, out.status());
    JsonObject body = out.body().toJsonObject();
    assertEquals("error", body.getString("type"));
    assertTrue(body.getJsonObject("error").getString("message").contains("could not be translated"), body.encode());
  }

  @Test
  void aStreamIsTranslatedEventByEventAndAMissingEndAddsWhatTheTranslationHeld() {
    EventTransformer toAnthropic = forRoute(Endpoint.MESSAGES, "oa");
    Buffer client = Buffer.buffer();
    client.appendBuffer(toAnthropic.event(SseEvent.of(null, """
        {"id":"c1","model":"gpt-real","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"""),
        StreamEventKind.CONTENT));
    client.appendBuffer(toAnthropic.event(SseEvent.of(null, """
        {"id":"c1","model":"gpt-real","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"""),
        StreamEventKind.FINISH));
    ClientStream held = ClientStream.of(client.toString());
    assertEquals("Hello", held.anthropicText());
    assertEquals(0, held.ofType("message_delta").size(), "the finish waits for the usage");
    client.appendBuffer(toAnthropic.missingEnd(Protocol.ANTHROPIC));
    ClientStream ended = ClientStream.of(client.toString());
    assertEquals("end_turn", ended.ofType("message_delta").get(0).getJsonObject("delta").getString("stop_reason"));
    assertEquals(1, ended.ofType("message_stop").size());
  }
}
