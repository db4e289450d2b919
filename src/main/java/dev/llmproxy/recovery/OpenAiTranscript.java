package dev.llmproxy.recovery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
  void observe(JsonObject chunk) {
    if (!identified && chunk.getValue("id") != null) {
      identified = true;
      id = String.valueOf(chunk.getValue("id"));
      model = chunk.getValue("model") instanceof String m ? m : null;
      created = chunk.getValue("created");
    }
    if (chunk.getValue("usage") instanceof JsonObject usage) {
      usage().reported(usage);
    }
    if (!(chunk.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject choice)) {
      return;
    }
    if (choice.getValue("index") instanceof Number n) {
      choiceIndex = n.intValue();
    }
    if (choice.getValue("delta") instanceof JsonObject delta) {
      observeDelta(delta);
    }
    if (choice.getValue("finish_reason") != null) {
      finish();
    }
  }

  private void observeDelta(JsonObject delta) {
    if (delta.getValue("role") != null) {
      roleSent = true;
    }
    if (present(delta.getValue("tool_calls")) || present(delta.getValue("function_call"))) {
      block(TOOL_CALL);
    }
    if (present(delta.getValue("refusal"))) {
      block("a refusal was being streamed, which is not continued");
    }
    if (present(delta.getValue("reasoning_content")) || present(delta.getValue("reasoning"))) {
      sawContent();
      reasoningLast = true;
    }
    if (delta.getValue("content") instanceof String text && !text.isEmpty()) {
      appendText(text);
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
