package dev.llmproxy.recovery;

import static dev.llmproxy.recovery.OpenAiContinuationTest.FIRST_LEG;
import static dev.llmproxy.recovery.OpenAiContinuationTest.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.StreamRecovery;
import dev.llmproxy.pipeline.StreamRecovery.Outcome;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.support.ConfigFiles;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's partner without a network: what it reads on the way to the client, what it decides at a break, the
 * continuation it hands out and the record it leaves on the request.
 */
class MidstreamRecoveryTest {

  private static final Candidate FIRST = ContinuationBodyTest.route("a", "ma", true);
  private static final Candidate PREFILL = ContinuationBodyTest.route("b", "mb", true);
  private static final Candidate RESTART = ContinuationBodyTest.route("c", "mc", false);

  @TempDir
  Path dir;

  private RequestContext request(String extra, Endpoint endpoint, JsonObject body) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        listen: "127.0.0.1:0"
        backends: [{name: a, url: "http://127.0.0.1:9"}]
        models:
          m: {routes: [{backend: a, model: ma}]%s}
        """.formatted(extra));
    Snapshot snapshot = ConfigFiles.load(file);
    RequestContext ctx = new RequestContext("t", snapshot, endpoint, null, "127.0.0.1", MutableClock.startingNow());
    ctx.alias(snapshot.aliases().get("m"));
    ctx.body(body);
    return ctx;
  }

  private static JsonObject chat() {
    return new JsonObject().put("model", "m").put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "What is it?")));
  }

  private static void deliver(MidstreamRecovery recovery, List<String> events) {
    for (String e : events) {
      SseEvent event = event(e);
      assertSame(event.raw(), recovery.deliver(event, event.raw()), "the first leg's bytes go out untouched");
    }
  }

  @Test
  void aCutAnswerIsContinuedAndTheRecoveryRecorded() throws Exception {
    RequestContext ctx = request("", Endpoint.CHAT_COMPLETIONS, chat());
    MidstreamRecovery recovery = MidstreamRecovery.open(ctx, FIRST);
    deliver(recovery, FIRST_LEG);
    assertTrue(recovery.midAnswer());

    var decision = assertInstanceOf(MidstreamRecovery.Continue.class, recovery.broke(FIRST, "connection reset"));
    JsonArray messages = decision.body().forRoute(PREFILL).getJsonArray("messages");
    assertEquals(new JsonObject().put("role", "assistant").put("content", "The answer is"), messages.getJsonObject(1));
    assertSame(ctx.body(), decision.body().forRoute(RESTART), "no prefill: the request as it was");

    recovery.continuedOn(PREFILL);
    SseEvent next = event("data: {\"id\":\"B\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 42.\"},"
        + "\"finish_reason\":\"stop\"}]}\n\n");
    String out = recovery.deliver(next, next.raw()).toString();
    assertTrue(out.contains("\"content\":\"42.\"") && out.contains("\"id\":\"chatcmpl-A\""), out);
    assertEquals("The answer is 42.", recovery.delivered());
    assertNull(recovery.joinFailure());

    recovery.ended(true, false);
    assertEquals(new StreamRecovery("connection reset", 14, List.of("a/ma", "b/mb"), Outcome.RECOVERED),
        ctx.streamRecovery());
  }

  @Test
  void aTranslatedLegIsReadAsTheClientGetsIt() throws Exception {
    MidstreamRecovery recovery = MidstreamRecovery.open(request("", Endpoint.CHAT_COMPLETIONS, chat()), FIRST);
    SseEvent upstream = event("event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n");
    Buffer translated = Buffer.buffer(String.join("", FIRST_LEG));  // what a translation made of it
    assertSame(translated, recovery.deliver(upstream, translated));
    assertEquals("The answer is ", recovery.delivered());
  }

  @Test
  void offForTheAliasNothingIsReadAndTheBreakIsRecordedAsDisabled() throws Exception {
    RequestContext ctx = request(", midstream_recovery: false", Endpoint.CHAT_COMPLETIONS, chat());
    MidstreamRecovery recovery = MidstreamRecovery.open(ctx, FIRST);
    deliver(recovery, FIRST_LEG);
    assertEquals("", recovery.delivered(), "not read at all");
    assertEquals(new MidstreamRecovery.Stop(null), recovery.broke(FIRST, "connection reset"));
    assertEquals("stream interrupted: connection reset", recovery.interrupted("connection reset", null, false));
    recovery.ended(false, false);
    assertEquals(new StreamRecovery("connection reset", -1, List.of("a/ma"), Outcome.DISABLED),
        ctx.streamRecovery());
  }

  @Test
  void severalChoicesAndTheLegacyEndpointAreNotContinued() throws Exception {
    RequestContext choices = request("", Endpoint.CHAT_COMPLETIONS, chat().put("n", 2));
    MidstreamRecovery two = MidstreamRecovery.open(choices, FIRST);
    assertEquals(new MidstreamRecovery.Stop(null), two.broke(FIRST, "connection reset"));
    two.ended(false, false);
    assertEquals(Outcome.UNSUPPORTED, choices.streamRecovery().outcome());

    RequestContext legacy = request("", Endpoint.COMPLETIONS, new JsonObject().put("model", "m").put("prompt", "x"));
    assertEquals(new MidstreamRecovery.Stop(null), MidstreamRecovery.open(legacy, FIRST).broke(FIRST, "reset"));
  }

  @Test
  void aToolCallOrReasoningInFlightStopsWithTheReasonAndTheCut() throws Exception {
    RequestContext ctx = request("", Endpoint.CHAT_COMPLETIONS, chat());
    MidstreamRecovery tool = MidstreamRecovery.open(ctx, FIRST);
    deliver(tool, List.of(FIRST_LEG.get(1),
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}\n\n"));
    var stop = assertInstanceOf(MidstreamRecovery.Stop.class, tool.broke(FIRST, "connection reset"));
    assertEquals("stream interrupted: connection reset; the answer was cut after 10 characters and a tool call was"
        + " being streamed, and a tool call is not continued", tool.interrupted("connection reset", stop.why(), false));

    MidstreamRecovery thinking = MidstreamRecovery.open(ctx, FIRST);
    deliver(thinking, List.of(
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Hmm\"}}]}\n\n"));
    assertEquals(new MidstreamRecovery.Stop("reasoning was being streamed, which cannot be continued"),
        thinking.broke(FIRST, "stream idle too long"));
  }

  @Test
  void aBreakAfterTheFinishIsNoMidStreamBreak() throws Exception {
    RequestContext ctx = request("", Endpoint.CHAT_COMPLETIONS, chat());
    MidstreamRecovery recovery = MidstreamRecovery.open(ctx, FIRST);
    deliver(recovery, List.of(
        "data: {\"id\":\"A\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Done\"},"
            + "\"finish_reason\":\"stop\"}]}\n\n"));
    assertEquals(new MidstreamRecovery.Stop(null), recovery.broke(FIRST, "connection reset"));
    recovery.ended(false, false);
    assertNull(ctx.streamRecovery());
  }

  @Test
  void oddEventsFromAnUpstreamAreReadWithoutThrowing() throws Exception {
    List<String> odd = List.of("data: {\"type\":5,\"index\":\"x\",\"delta\":[1]}\n\n",
        "data: {\"choices\":\"none\",\"usage\":\"lots\"}\n\n", "data: {\"choices\":[7,{\"delta\":\"x\"}]}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"content_block\":{\"type\":[]}}\n\n",
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":3}}\n\n",
        "data: [1,2]\n\n", "data: not json\n\n", ": comment\n\n");
    for (Endpoint endpoint : List.of(Endpoint.CHAT_COMPLETIONS, Endpoint.MESSAGES)) {
      MidstreamRecovery recovery = MidstreamRecovery.open(request("", endpoint, chat()), FIRST);
      deliver(recovery, odd);
      recovery.broke(FIRST, "reset");
      recovery.continuedOn(PREFILL);
      for (String e : odd) {
        SseEvent event = event(e);
        recovery.deliver(event, event.raw());
      }
      assertEquals("", recovery.delivered(), endpoint.name());
    }
  }

  @Test
  void theErrorNamesTheAttemptsMasked() throws Exception {
    RequestContext ctx = request("", Endpoint.CHAT_COMPLETIONS, chat());
    ctx.recordAttempt(new AttemptRecord("m", "a", "ma", 200, "connection reset", 5));
    ctx.recordAttempt(new AttemptRecord("m", "b", "mb", 400, "continuation refused: bad key sk-abcdefghijklmnop1234",
        5));
    MidstreamRecovery recovery = MidstreamRecovery.open(ctx, FIRST);
    deliver(recovery, FIRST_LEG);
    String message = recovery.interrupted("connection reset", "no route could continue it", true);
    assertTrue(message.startsWith("stream interrupted: connection reset; the answer was cut after 14 characters and"
        + " no route could continue it. Attempts: a/ma: 200 connection reset; b/mb: 400 continuation refused"),
        message);
    assertTrue(!message.contains("sk-abcdefghijklmnop1234"), "a key quoted by a provider is masked: " + message);
  }
}
