package dev.llmproxy.connections;

import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * Whole HTTP/1.1 error responses as bytes, written below the HTTP codec at the moments Vert.x has no request to
 * answer (a request head that never completed, a connection over the limit). The protocol of the client is not
 * known yet, so the body has the OpenAI shape; every such answer closes the connection.
 */
final class RawResponses {

  private RawResponses() {}

  static ByteBuf error(ErrorKind kind, String message) {
    byte[] body = ErrorBodies.json(Protocol.OPENAI, kind, message, null).encode().getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + HttpResponseStatus.valueOf(kind.status()) + "\r\n"
        + "Content-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n"
        + (kind == ErrorKind.UNAVAILABLE ? "Retry-After: 1\r\n" : "")
        + "Connection: close\r\n\r\n";
    return Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
  }
}
