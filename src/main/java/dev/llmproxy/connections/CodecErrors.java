package dev.llmproxy.connections;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.observability.TraceIds;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests the HTTP codec refused (Vert.x's invalid-request handler): a request line too long (414),
 * headers too large (431), a framing violation (400 or 501), anything else malformed (400). Vert.x's default
 * answers with an empty body; the README promises JSON in the client's protocol for every error. The connection
 * is closed afterwards: after a malformed request, where the next one starts is anyone's guess.
 */
final class CodecErrors {

  private static final Logger LOG = LoggerFactory.getLogger(CodecErrors.class);

  private CodecErrors() {}

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiError error;
    if (cause instanceof TooLongHttpLineException) {
      error = ApiError.of(ErrorKind.URI_TOO_LONG, "The request line (method, URL and version) is too long.");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ApiError.of(ErrorKind.HEADERS_TOO_LARGE, "The request headers are too large.");
    } else if (cause instanceof FramingViolation violation) {
      error = ApiError.of(violation.status() == 501 ? ErrorKind.NOT_IMPLEMENTED : ErrorKind.INVALID_REQUEST,
          violation.getMessage());
    } else {
      error = ApiError.of(ErrorKind.INVALID_REQUEST,
          "Malformed HTTP request" + (cause == null || cause.getMessage() == null ? "." : ": " + cause.getMessage()));
    }
    String traceId = TraceIds.accept(request.getHeader(TraceIds.HEADER));
    LOG.info("request refused by the HTTP codec {} {} {}", kv("trace_id", traceId), kv("status", error.status()),
        kv("error", error.getMessage()));
    request.response().putHeader(TraceIds.HEADER, traceId).putHeader("Connection", "close");
    ErrorResponses.send(request.response(), protocolOf(request), error)
        .onComplete(done -> request.connection().close());
  }

  /** What little the codec parsed decides: an Anthropic header or path means the Anthropic error shape. */
  private static Protocol protocolOf(HttpServerRequest request) {
    String uri = request.uri();
    return request.getHeader("anthropic-version") != null || (uri != null && uri.contains("/messages"))
        ? Protocol.ANTHROPIC : Protocol.OPENAI;
  }
}
