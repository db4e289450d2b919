package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Error events are recognised in every protocol a passed-through stream may speak, and nothing else is. */
class ErrorEventsTest {

  private static boolean error(String raw) {
    return ErrorEvents.reportsError(Buffer.buffer(raw));
  }

  @Test
  void errorEventsOfEachProtocolAreRecognised() {
    assertTrue(error("data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"), "OpenAI chat");
    assertTrue(error("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n"),
        "Anthropic");
    assertTrue(error("event: error\r\ndata: {\"type\":\"error\",\"code\":\"server_error\"}\r\n\r\n"), "Responses");
    assertTrue(error("event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":"
        + "{\"code\":\"server_error\"}}}\n\n"), "Responses, failed");
    assertTrue(error("data: {\"type\":\"response.failed\",\"response\":{\"error\":{}}}\n\n"), "without event:");
  }

  @Test
  void otherEventsAreNot() {
    assertFalse(error("event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"error\":null}}"
        + "\n\n"), "a response object's error: null");
    assertFalse(error("data: {\"choices\":[{\"delta\":{\"content\":\"the error is here\"}}]}\n\n"), "content");
    assertFalse(error("data: {\"error\":null,\"choices\":[]}\n\n"), "a null error field");
    assertFalse(error(": error comment\n\n"), "a comment");
    assertFalse(error("data: error but not JSON\n\n"), "not JSON");
    assertFalse(error("data: [DONE]\n\n"), "the end");
  }
}
