package dev.llmproxy.ingress;

import dev.llmproxy.json.JsonScan;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * Checks the JSON body and reads what routing needs: the model the client asked for and whether it wants a stream.
 * A streaming scan of the bytes (no objects built), which also notes where the model value sits, so a request no
 * stage needs to read is forwarded with only its model replaced in its bytes; the body is decoded, once, only if a
 * stage asks for it ({@link RequestContext#body}). Routing rules and the alias lookup come next, in their own stages.
 */
public final class ParseRequest implements Stage {

  @Override
  public String name() {
    return "parse";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    JsonScan.Fields fields;
    try {
      fields = JsonScan.topLevel(ctx.rawBody(), "model", "stream");
    } catch (JsonScan.NotAnObject e) {
      return notAnObject(ctx, e);
    }
    JsonScan.Value model = fields.get("model");
    String alias = model != null && model.isString() ? model.text() : null;
    if (model == null && passedThroughWithoutModel(ctx)) {
      alias = NO_MODEL;
    }
    if (alias == null || alias.isBlank()) {
      return fail(ErrorKind.INVALID_REQUEST, "Missing required parameter: 'model' (a model alias string).", "model");
    }
    JsonScan.Value stream = fields.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return fail(ErrorKind.INVALID_REQUEST, "'stream' must be true or false.", "stream");
    }
    Buffer raw = ctx.rawBody();
    // Decoded only if a stage needs to read the body (routing rules on the system prompt, prompt injection, ...).
    if (model == null || fields.count("model") > 1) {
      // No model to replace in the bytes, or two (the last one counts, as decoders keep it): re-encoded per route.
      ctx.body(decode(raw));
    } else {
      ctx.parsedBody(() -> decode(raw), model.start(), model.end());
    }
    ctx.stream(stream != null && stream.token() == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE
        && ctx.endpoint().canStream());
    ctx.model(alias);
    return Future.succeededFuture();
  }

  /** The scan checked the bytes; what it cannot see (Jackson's guard against colliding names) is still the client's. */
  private static JsonObject decode(Buffer raw) {
    try {
      return (JsonObject) Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw ApiError.withParam(ErrorKind.INVALID_JSON, "Request body is not valid JSON: " + firstLine(e.getMessage()),
          null);
    }
  }

  /**
   * The decoder's own message says what is wrong where, as clients got it before the scan existed; where the scan
   * refuses what the decoder reads (a UTF-16 body, a byte never valid in UTF-8 that the decoder lets by in a field
   * name), the scan's reason.
   */
  private static Future<Void> notAnObject(RequestContext ctx, JsonScan.NotAnObject refusal) {
    try {
      Object parsed = Json.decodeValue(ctx.rawBody());
      if (!(parsed instanceof JsonObject)) {
        return fail(ErrorKind.INVALID_JSON, "Request body must be a JSON object.", null);
      }
    } catch (DecodeException e) {
      return fail(ErrorKind.INVALID_JSON, "Request body is not valid JSON: " + firstLine(e.getMessage()), null);
    }
    return fail(ErrorKind.INVALID_JSON, "Request body is not valid JSON: " + refusal.getMessage() + ".", null);
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
