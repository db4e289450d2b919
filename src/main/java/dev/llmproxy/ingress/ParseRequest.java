package dev.llmproxy.ingress;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Parses the JSON body (the only parse of it the proxy does) and reads what routing needs: the model the client
 * asked for and whether it wants a stream. Routing rules and the alias lookup come next, in their own stages.
 */
public final class ParseRequest implements Stage {

  @Override
  public String name() {
    return "parse";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    JsonObject body;
    try {
      Object parsed = Json.decodeValue(ctx.rawBody());
      if (!(parsed instanceof JsonObject object)) {
        return fail(ErrorKind.INVALID_JSON, "Request body must be a JSON object.", null);
      }
      body = object;
    } catch (DecodeException e) {
      return fail(ErrorKind.INVALID_JSON, "Request body is not valid JSON: " + firstLine(e.getMessage()), null);
    }
    Object model = body.getValue("model");
    if (model == null && passedThroughWithoutModel(ctx)) {
      model = NO_MODEL;
    }
    if (!(model instanceof String alias) || alias.isBlank()) {
      return fail(ErrorKind.INVALID_REQUEST, "Missing required parameter: 'model' (a model alias string).", "model");
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      return fail(ErrorKind.INVALID_REQUEST, "'stream' must be true or false.", "stream");
    }
    ctx.body(body);
    ctx.stream(Boolean.TRUE.equals(stream) && ctx.endpoint().canStream());
    ctx.model(alias);
    return Future.succeededFuture();
  }

  /**
   * The Responses API makes {@code model} optional (a stored prompt can name it). In the transparent mode such a
   * request still goes to the provider as it is, known by this name in limits and logs (the name the catch-all
   * passthrough gives it too); routed by alias, it needs a model like any other request.
   */
  static final String NO_MODEL = "-";

  private static boolean passedThroughWithoutModel(RequestContext ctx) {
    return ctx.endpoint() == Endpoint.RESPONSES && FindAlias.passthroughBackend(ctx.snapshot(), ctx.protocol()) != null;
  }

  private static Future<Void> fail(ErrorKind kind, String message, String param) {
    return Future.failedFuture(ApiError.withParam(kind, message, param));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
