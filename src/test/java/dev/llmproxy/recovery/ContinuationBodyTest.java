package dev.llmproxy.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.config.Route;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The continuation's body: the request plus the delivered text as the assistant's turn, per route. */
class ContinuationBodyTest {

  static Candidate route(String backend, String model, boolean prefill) {
    return new Candidate("m", new Backend(backend, BackendType.HTTP, "http://127.0.0.1:9", null, Protocol.OPENAI,
        Map.of(), true, null, null), new Route(backend, model, 1, 1, prefill, null));
  }

  private static final JsonObject REQUEST = new JsonObject().put("model", "m").put("stream", true)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Count.")));

  @Test
  void aPrefillRouteGetsTheDeliveredTextWithoutTrailingWhitespaceAsTheAssistantTurn() {
    ContinuationBody body = new ContinuationBody(REQUEST, "One, two, \n");
    JsonObject prefilled = body.forRoute(route("b", "mb", true));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "Count."))
        .add(new JsonObject().put("role", "assistant").put("content", "One, two,")),
        prefilled.getJsonArray("messages"));
    assertEquals(1, REQUEST.getJsonArray("messages").size(), "the request itself is never changed");
  }

  @Test
  void aRouteWithoutPrefillGetsTheRequestItself() {
    assertSame(REQUEST, new ContinuationBody(REQUEST, "One, two,").forRoute(route("b", "mb", false)));
  }

  @Test
  void nothingButWhitespaceDeliveredMeansNoPrefill() {
    assertSame(REQUEST, new ContinuationBody(REQUEST, " \n\u00a0").forRoute(route("b", "mb", true)),
        "an empty assistant turn would be rejected; the model starts over and the splice drops the whitespace");
  }

  @Test
  void theClientsOwnPrefillIsContinuedNotDuplicated() {
    JsonObject clientPrefill = REQUEST.copy();
    clientPrefill.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("content", "{"));
    JsonObject body = new ContinuationBody(clientPrefill, "\"count\": [1, 2, ").forRoute(route("b", "mb", true));
    assertEquals(new JsonObject().put("role", "assistant").put("content", "{\"count\": [1, 2,"),
        body.getJsonArray("messages").getJsonObject(1));

    JsonObject blocks = REQUEST.copy();
    blocks.getJsonArray("messages").add(new JsonObject().put("role", "assistant")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "{"))));
    JsonObject withBlocks = new ContinuationBody(blocks, "\"a\": 1").forRoute(route("b", "mb", true));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "{"))
            .add(new JsonObject().put("type", "text").put("text", "\"a\": 1")),
        withBlocks.getJsonArray("messages").getJsonObject(1).getJsonArray("content"));
  }

  @Test
  void trailingWhitespaceOfEveryKindIsHeldBack() {
    assertEquals("done", ContinuationBody.prefillOf("done \t\r\n\u00a0\u2003"));
    assertEquals(" \t\r\n\u00a0\u2003", ContinuationBody.heldBack("done \t\r\n\u00a0\u2003"));
    assertEquals("", ContinuationBody.heldBack("done."));
  }
}
