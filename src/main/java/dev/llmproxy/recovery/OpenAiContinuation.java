package dev.llmproxy.recovery;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One continuation leg of an OpenAI chat completion stream, rewritten into the stream the client is reading:
 * every chunk carries the first leg's {@code id}, {@code model} and {@code created} and its choice index; the role
 * is not sent again; the leg's text is joined at the cut ({@link TextSplice}); reasoning deltas are dropped (the
 * client saw the reasoning already); a chunk left with nothing to say is dropped; the final usage chunk (sent when
 * the client asked for {@code stream_options.include_usage}) reports the sum over the legs. The finish chunk and
 * {@code [DONE]} come from this leg only, so the client gets each once.
 */
final class OpenAiContinuation implements LegRewriter {

  private final OpenAiTranscript transcript;
  private final TextSplice splice;

  OpenAiContinuation(OpenAiTranscript transcript, TextSplice splice) {
    this.transcript = transcript;
    this.splice = splice;
  }

  @Override
  public List<SseEvent> rewrite(SseEvent event) {
    if (splice.mismatch() != null) {
      return List.of();
    }
    JsonObject chunk = event.data() == null ? null : Transcript.decode(event.data());
    if (chunk == null) {
      if (event.data() != null && event.data().strip().equals("[DONE]")) {
        splice.legFinished();
        return splice.mismatch() != null ? List.of() : List.of(event);
      }
      return List.of(event);  // comments, keep-alives
    }
    if (chunk.getValue("error") != null) {
      return List.of(event);
    }
    keepIdentity(chunk);
    boolean keep = chunk.getValue("usage") instanceof JsonObject;
    if (keep) {
      JsonObject own = chunk.getJsonObject("usage");
      transcript.usage().reported(own);
      chunk.put("usage", transcript.usage().totals(own));
    }
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice) {
      keep |= rewriteChoice(choice);
    }
    if (splice.mismatch() != null || !keep) {
      return List.of();
    }
    return List.of(SseEvent.of(event.name(), chunk.encode()));
  }

  /** @return whether the choice still says something (text, a tool call, a finish, ...) */
  private boolean rewriteChoice(JsonObject choice) {
    choice.put("index", transcript.choiceIndex());
    boolean says = false;
    if (choice.getValue("delta") instanceof JsonObject delta) {
      if (transcript.roleSent()) {
        delta.remove("role");
      }
      delta.remove("reasoning_content");
      delta.remove("reasoning");
      if (delta.getValue("content") instanceof String text) {
        String joined = splice.join(text);
        if (joined.isEmpty()) {
          delta.remove("content");
        } else {
          delta.put("content", joined);
        }
      }
      says = delta.fieldNames().stream().anyMatch(field -> OpenAiTranscript.present(delta.getValue(field)));
      if (says && !splice.joined() && delta.getValue("content") == null) {
        splice.legFinished();  // a restart that turns to a tool call before repeating everything differs
      }
    }
    if (choice.getValue("finish_reason") != null) {
      splice.legFinished();
      says = true;
    }
    return says;
  }

  private void keepIdentity(JsonObject chunk) {
    if (transcript.id() != null) {
      chunk.put("id", transcript.id());
    }
    if (transcript.model() != null) {
      chunk.put("model", transcript.model());
    }
    if (transcript.created() != null) {
      chunk.put("created", transcript.created());
    }
  }

  @Override
  public String failure() {
    return splice.mismatch();
  }
}
