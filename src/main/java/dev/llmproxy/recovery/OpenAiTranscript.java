package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * An OpenAI chat completion stream as the client received it: its identity (the first chunk's {@code id},
 * {@code model} and {@code created}), whether the role was sent, the choice's index, and the content deltas.
 * Only single-choice streams are continued ({@code n} > 1 is refused before any event is read).
 */
final class OpenAiTranscript extends Transcript {

  private String id;
  private String model;
  private Object created;
  private int choiceIndex;
  private boolean identified;
  private boolean roleSent;
  private boolean reasoningLast;

  @Override
  void observe(SseEvent event, JsonParser object) throws IOException {
    OpenAiChunk chunk = OpenAiChunk.scan(object, identified);
    if (SseEvent.endsThere(object)) {
      observe(event, chunk);
    }
  }

  private void observe(SseEvent event, OpenAiChunk chunk) {
    if (!identified && chunk.hasId) {
      identified = true;
      boolean scalars = chunk.id != JsonValues.CONTAINER && chunk.created != JsonValues.CONTAINER;
      JsonObject decoded = scalars ? null : event.json();  // an id or created that is an object: never seen
      id = String.valueOf(scalars ? chunk.id : decoded.getValue("id"));
      model = chunk.model;
      created = scalars ? chunk.created : decoded.getValue("created");
    }
    usage().reported(chunk.usage);
    if (!chunk.choice) {
      return;
    }
    if (chunk.index != null) {
      choiceIndex = chunk.index.intValue();
    }
    if (chunk.delta) {
      observeDelta(chunk);
    }
    if (chunk.finishes) {
      finish();
    }
  }

  private void observeDelta(OpenAiChunk chunk) {
    if (chunk.role) {
      roleSent = true;
    }
    if (chunk.toolCalls || chunk.functionCall) {
      block(TOOL_CALL);
    }
    if (chunk.refusal) {
      block("a refusal was being streamed, which is not continued");
    }
    if (chunk.reasoningContent || chunk.reasoning) {
      sawContent();
      reasoningLast = true;
    }
    if (chunk.content != null && !chunk.content.isEmpty()) {
      appendText(chunk.content);
      reasoningLast = false;
    }
  }

  /** Reasoning with no answer text after it: the break came while the model was still thinking. */
  @Override
  boolean reasoningInFlight() {
    return reasoningLast;
  }

  String id() {
    return id;
  }

  String model() {
    return model;
  }

  Object created() {
    return created;
  }

  int choiceIndex() {
    return choiceIndex;
  }

  boolean roleSent() {
    return roleSent;
  }

  static boolean present(Object value) {
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    if (value instanceof JsonArray a) {
      return !a.isEmpty();
    }
    return value != null;
  }
}
