package dev.llmproxy.passthrough;

import dev.llmproxy.config.Alias;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Pipeline stage of the catch-all passthrough: the model a JSON body names (e.g. {@code /v1/responses}), for
 * per-model limits and the access log. The body is parsed once, here, and only read: the bytes sent upstream are
 * the client's. A body that is not JSON, or names no model, is passed through all the same.
 */
public final class PassthroughModel implements Stage {

  /** The name a request without a model has in limits and logs. */
  static final String NO_MODEL = "-";

  @Override
  public String name() {
    return "passthrough-model";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    String model = ctx.model() != null ? ctx.model() : NO_MODEL;
    String type = ctx.request().getHeader("content-type");
    if (ctx.rawBody() != null && ctx.rawBody().length() > 0 && type != null && type.contains("json")) {
      try {
        if (Json.decodeValue(ctx.rawBody()) instanceof JsonObject body) {
          ctx.body(body);
          if (body.getValue("model") instanceof String named && !named.isBlank()) {
            model = named;
          }
          ctx.stream(ctx.stream() || Boolean.TRUE.equals(body.getValue("stream")));
        }
      } catch (RuntimeException notJson) {
        // passed through as it is: the provider answers a malformed body in its own words
      }
    }
    ctx.model(model);
    ctx.alias(new Alias(model, List.of()));
    return Future.succeededFuture();
  }
}
