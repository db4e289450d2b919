package dev.llmproxy.support;

import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** A stream as the client received it, read the way a client reads it: its events, their JSON, the answer text. */
public final class ClientStream {

  private final List<SseEvent> events;

  private ClientStream(String body) {
    this.events = SseEvent.parseAll(Buffer.buffer(body));
  }

  public static ClientStream of(String body) {
    return new ClientStream(body);
  }

  public List<SseEvent> events() {
    return events;
  }

  /** The JSON data of every event (the {@code [DONE]} marker left out). */
  public List<JsonObject> data() {
    List<JsonObject> out = new ArrayList<>();
    for (SseEvent e : events) {
      if (e.data() != null && e.data().startsWith("{")) {
        out.add(new JsonObject(e.data()));
      }
    }
    return out;
  }

  /** Anthropic: the data of the events of {@code type}. */
  public List<JsonObject> ofType(String type) {
    return data().stream().filter(d -> type.equals(d.getString("type"))).toList();
  }

  /** How many events carry exactly {@code data} (e.g. {@code [DONE]}). */
  public long count(String data) {
    return events.stream().filter(e -> data.equals(e.data())).count();
  }

  /** OpenAI: the assistant's text, the content deltas of choice 0 joined. */
  public String openAiText() {
    StringBuilder text = new StringBuilder();
    for (JsonObject chunk : data()) {
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices != null && !choices.isEmpty()) {
        JsonObject delta = choices.getJsonObject(0).getJsonObject("delta", new JsonObject());
        if (delta.getValue("content") instanceof String s) {
          text.append(s);
        }
      }
    }
    return text.toString();
  }

  /** Anthropic: the text of every text delta, in order. */
  public String anthropicText() {
    StringBuilder text = new StringBuilder();
    for (JsonObject event : ofType("content_block_delta")) {
      JsonObject delta = event.getJsonObject("delta");
      if ("text_delta".equals(delta.getString("type"))) {
        text.append(delta.getString("text"));
      }
    }
    return text.toString();
  }

  /** The last event's JSON data (an error event, when the stream failed). */
  public JsonObject last() {
    List<JsonObject> data = data();
    return data.get(data.size() - 1);
  }
}
