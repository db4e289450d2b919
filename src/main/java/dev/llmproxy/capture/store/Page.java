package dev.llmproxy.capture.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One page of a listing and the cursor of the next one (null on the last page). */
public record Page(List<JsonObject> items, String nextCursor) {

  public JsonObject toJson() {
    return new JsonObject().put("data", new JsonArray(List.copyOf(items))).put("next_cursor", nextCursor);
  }
}
