package dev.llmproxy.recovery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The fields of one OpenAI chat completion chunk that its transcript reads, found by a scan of the chunk's tokens:
 * the identity ({@code id}, {@code model}, {@code created}), {@code usage}, and of the first choice (only when
 * it is an object) its {@code index}, {@code finish_reason} and the delta fields that say what is being streamed.
 * Everything else is skipped. Each value is read as the decoded object gives it, and a name given twice counts
 * with its last value, as in a decoded object.
 */
final class OpenAiChunk {

  /** Whether {@code id} is there and not null; then {@link #id} is its value. */
  boolean hasId;
  /** The scalar {@code id} or {@link JsonValues#CONTAINER}. */
  Object id;
  String model;
  /** The scalar {@code created}, null, or {@link JsonValues#CONTAINER}. */
  Object created;
  Usage.Report usage;
  /** Whether {@code choices} is an array whose first element is an object; the fields below are that choice's. */
  boolean choice;
  Number index;
  boolean finishes;
  /** Whether the choice has a {@code delta} object; the fields below are that delta's. */
  boolean delta;
  boolean role;
  boolean toolCalls;
  boolean functionCall;
  boolean refusal;
  boolean reasoningContent;
  boolean reasoning;
  String content;

  private OpenAiChunk() {}

  /**
   * Reads the fields of the object {@code p} stands on, up to its end.
   *
   * @param identified whether the stream's identity is known already (its fields are then skipped)
   */
  static OpenAiChunk scan(JsonParser p, boolean identified) throws IOException {
    OpenAiChunk chunk = new OpenAiChunk();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id", "model", "created" -> {
          if (identified) {
            p.skipChildren();
          } else {
            chunk.identity(field, p, value);
          }
        }
        case "usage" -> chunk.usage = JsonValues.isObject(p, value) ? Usage.Report.scan(p) : null;
        case "choices" -> chunk.choices(p, value);
        default -> p.skipChildren();
      }
    }
    return chunk;
  }

  private void identity(String field, JsonParser p, JsonToken value) throws IOException {
    switch (field) {
      case "id" -> {
        hasId = value != JsonToken.VALUE_NULL;
        id = JsonValues.scalar(p, value);
      }
      case "model" -> model = JsonValues.text(p, value);
      default -> created = JsonValues.scalar(p, value);
    }
  }

  private void choices(JsonParser p, JsonToken value) throws IOException {
    choice = false;
    clearChoice();
    if (value != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    JsonToken first = p.nextToken();
    if (first == JsonToken.END_ARRAY) {
      return;
    }
    if (first == JsonToken.START_OBJECT) {
      choice = true;
      readChoice(p);
    } else {
      p.skipChildren();
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      p.skipChildren();  // only the first choice counts: a stream with several is never continued
    }
  }

  private void readChoice(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "index" -> index = JsonValues.number(p, value);
        case "finish_reason" -> finishes = JsonValues.notNull(p, value);
        case "delta" -> readDelta(p, value);
        default -> p.skipChildren();
      }
    }
  }

  private void readDelta(JsonParser p, JsonToken value) throws IOException {
    clearDelta();
    if (!JsonValues.isObject(p, value)) {
      return;
    }
    delta = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken fieldValue = p.nextToken();
      switch (field) {
        case "role" -> role = JsonValues.notNull(p, fieldValue);
        case "tool_calls" -> toolCalls = JsonValues.present(p, fieldValue);
        case "function_call" -> functionCall = JsonValues.present(p, fieldValue);
        case "refusal" -> refusal = JsonValues.present(p, fieldValue);
        case "reasoning_content" -> reasoningContent = JsonValues.present(p, fieldValue);
        case "reasoning" -> reasoning = JsonValues.present(p, fieldValue);
        case "content" -> content = JsonValues.text(p, fieldValue);
        default -> p.skipChildren();
      }
    }
  }

  private void clearChoice() {
    index = null;
    finishes = false;
    clearDelta();
  }

  private void clearDelta() {
    delta = false;
    role = false;
    toolCalls = false;
    functionCall = false;
    refusal = false;
    reasoningContent = false;
    reasoning = false;
    content = null;
  }
}
