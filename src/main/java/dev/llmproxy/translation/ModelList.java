package dev.llmproxy.translation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;

/**
 * {@code GET /v1/models} in Anthropic's shape, for clients that send {@code anthropic-version} (the Anthropic
 * SDKs always do): {@code {"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id",
 * "last_id"}}. The proxy's models are its aliases, listed whole on one page.
 */
public final class ModelList {

  private ModelList() {}

  public static JsonObject anthropic(Collection<String> aliases, Instant created) {
    String createdAt = DateTimeFormatter.ISO_INSTANT.format(created);
    JsonArray data = new JsonArray();
    for (String alias : aliases) {
      data.add(new JsonObject().put("type", "model").put("id", alias).put("display_name", alias)
          .put("created_at", createdAt));
    }
    String first = aliases.isEmpty() ? null : aliases.iterator().next();
    String last = null;
    for (String alias : aliases) {
      last = alias;
    }
    return new JsonObject().put("data", data).put("has_more", false).put("first_id", first).put("last_id", last);
  }
}
