package dev.llmproxy.ingress;

import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;

/** Sends a gateway error as the response, in the client's protocol. */
public final class ErrorResponses {

  private ErrorResponses() {}

  public static Future<Void> send(HttpServerResponse response, Protocol protocol, ApiError error) {
    if (response.headWritten() || response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    response.setStatusCode(error.status());
    error.headers().forEach(response::putHeader);
    response.putHeader("Content-Type", "application/json");
    return response.end(ErrorBodies.json(protocol, error).toBuffer());
  }
}
