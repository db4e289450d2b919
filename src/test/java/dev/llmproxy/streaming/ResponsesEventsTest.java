package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.support.ResponsesApi;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A Responses API stream's events, classified as the relay and the attempt's peek read them. */
class ResponsesEventsTest {

  private static StreamEventKind kind(String type) {
    String event = "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":3}\n\n";
    return StreamEvents.classify(Protocol.OPENAI, SseEvent.parse(Buffer.buffer(event)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "response.created|META",
      "response.in_progress|META",
      "response.queued|META",
      "response.output_item.added|META",
      "response.content_part.added|META",
      "response.web_search_call.searching|META",
      "response.output_item.done|META",
      "response.output_text.done|META",
      "response.output_text.delta|CONTENT",
      "response.refusal.delta|CONTENT",
      "response.function_call_arguments.delta|CONTENT",
      "response.reasoning_summary_text.delta|CONTENT",
      "response.audio.transcript.delta|CONTENT",
      "response.image_generation_call.partial_image|CONTENT",
      "response.completed|DONE",
      "response.incomplete|DONE",
      "response.failed|ERROR",
      "error|ERROR",
  })
  void classifiesEachEventByItsType(String type, StreamEventKind expected) {
    assertEquals(expected, kind(type));
  }

  @Test
  void aRecordedTextStreamHasContentFromItsFirstDeltaAndEndsWithItsCompletion() {
    List<StreamEventKind> kinds = ResponsesApi.parsed("text.sse").stream()
        .map(e -> StreamEvents.classify(Protocol.OPENAI, e)).toList();
    assertEquals(List.of(StreamEventKind.META, StreamEventKind.META, StreamEventKind.META, StreamEventKind.META,
        StreamEventKind.CONTENT), kinds.subList(0, 5));
    assertEquals(StreamEventKind.DONE, kinds.get(kinds.size() - 1));
    assertEquals(1, kinds.stream().filter(k -> k == StreamEventKind.DONE).count());
  }

  @Test
  void theErrorEventInBothShapesIsAnError() {
    for (String data : List.of(
        "{\"type\":\"error\",\"code\":\"server_error\",\"message\":\"boom\",\"param\":null,\"sequence_number\":2}",
        "{\"type\":\"error\",\"sequence_number\":2,\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}")) {
      SseEvent event = SseEvent.parse(Buffer.buffer("event: error\ndata: " + data + "\n\n"));
      assertEquals(StreamEventKind.ERROR, StreamEvents.classify(Protocol.OPENAI, event), data);
    }
  }

  @Test
  void chatChunksAreStillClassifiedAsChat() {
    SseEvent chunk = SseEvent.parse(Buffer.buffer(
        "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"));
    assertEquals(StreamEventKind.CONTENT, StreamEvents.classify(Protocol.OPENAI, chunk));
    SseEvent anthropic = SseEvent.parse(Buffer.buffer(
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
    assertEquals(StreamEventKind.DONE, StreamEvents.classify(Protocol.ANTHROPIC, anthropic));
  }

  @Test
  void sequenceNumberIsReadFromTheEventData() {
    List<SseEvent> events = ResponsesApi.parsed("text.sse");
    assertEquals(events.size() - 1, ResponsesEvents.sequenceNumber(events.get(events.size() - 1)));
    assertEquals(-1, ResponsesEvents.sequenceNumber(null));
    assertEquals(-1, ResponsesEvents.sequenceNumber(SseEvent.parse(Buffer.buffer("data: [DONE]\n\n"))));
  }
}
