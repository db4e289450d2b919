package dev.llmproxy.streaming;

import io.vertx.core.json.JsonObject;

/**
 * The OpenAI Responses API's stream events ({@code POST /v1/responses} with {@code "stream": true}), by their
 * {@code type}. Pure functions.
 *
 * <p>Evidence (the API reference's streaming events, and OpenAI's recorded streams): every event carries its
 * {@code type} in the data (and as the {@code event:} name) and a {@code sequence_number}; the stream opens with
 * {@code response.created} / {@code response.in_progress} (or {@code response.queued}), announces each output item
 * and content part ({@code *.added}), generates it through {@code *.delta} events (output text, refusal, function
 * call arguments, reasoning text and summaries, audio, code, tool input), closes them ({@code *.done}) and ends with
 * exactly one of {@code response.completed}, {@code response.incomplete} (a limit cut the answer: a normal end) or
 * {@code response.failed}. There is no {@code [DONE]} sentinel. A failure may also come as an {@code error} event.
 */
public final class ResponsesEvents {

  private ResponsesEvents() {}

  /**
   * Whether a decoded OpenAI-protocol event belongs to a Responses stream: its {@code type} (chat completion chunks
   * have none) names a response event or the in-stream error.
   */
  static boolean isResponsesEvent(JsonObject json) {
    return json.getValue("type") instanceof String type && (type.startsWith("response.") || type.equals("error"));
  }

  /**
   * What the event means for the stream. An error or a failed response is ERROR; a completed or incomplete response
   * is the stream's normal end (DONE: nothing follows it); a delta, or an image's partial frame, carries output
   * (CONTENT); the rest (lifecycle, items and parts announced or closed, hosted tools' progress) is META. So a
   * stream that fails before its first output falls back unseen, as a chat stream does before its first content.
   */
  static StreamEventKind classify(String type) {
    if (type == null) {
      return StreamEventKind.META;
    }
    return switch (type) {
      case "error", "response.failed" -> StreamEventKind.ERROR;
      case "response.completed", "response.incomplete" -> StreamEventKind.DONE;
      default -> type.endsWith(".delta") || type.endsWith(".partial_image")
          ? StreamEventKind.CONTENT : StreamEventKind.META;
    };
  }

  /**
   * The {@code sequence_number} of a Responses event, or -1 when it has none (or is not one). Parsed on demand: the
   * relay asks only for the last event of a stream it must end with an error of its own.
   */
  public static long sequenceNumber(SseEvent event) {
    if (event == null || event.data() == null) {
      return -1;
    }
    try {
      return io.vertx.core.json.Json.decodeValue(event.data()) instanceof JsonObject json
          && json.getValue("sequence_number") instanceof Number n ? n.longValue() : -1;
    } catch (RuntimeException notJson) {
      return -1;
    }
  }
}
