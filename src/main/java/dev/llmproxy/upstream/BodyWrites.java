package dev.llmproxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Sends a large request body made of parts ({@code fallback.RealModel}: the client's bytes around a new model value)
 * one write per part, with the Content-Length of the whole: the same bytes on the wire as one write. Written whole,
 * such a body would be copied once more than it needs: Netty's allocator copies a buffer into the socket's direct
 * buffer through {@code nioBuffer()}, which for a composite first merges its parts into a fresh heap buffer, the
 * very copy the composite exists to avoid. A small body goes out as one write all the same: each write is flushed
 * on its own (a system call), which costs more than copying a few kilobytes.
 */
final class BodyWrites {

  /** Above this a merge costs more than two more writes: Netty's largest pooled buffer size. */
  static final int PART_BY_PART_ABOVE = 64 * 1024;

  private BodyWrites() {}

  static Future<HttpClientResponse> send(HttpClientRequest request, Buffer body) {
    ByteBuf bytes = body.length() > PART_BY_PART_ABOVE && body instanceof BufferInternal internal
        ? internal.getByteBuf() : null;
    ByteBuffer[] parts = bytes == null || bytes.nioBufferCount() <= 1 ? null : bytes.nioBuffers();
    if (parts == null || remaining(parts) != body.length()) {
      return request.send(body);
    }
    request.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
    for (int i = 0; i < parts.length; i++) {
      Buffer part = BufferInternal.buffer(Unpooled.wrappedBuffer(parts[i]));  // a view: the part's own memory
      if (i < parts.length - 1) {
        request.write(part);
      } else {
        request.end(part);
      }
    }
    return request.response();
  }

  private static long remaining(ByteBuffer[] parts) {
    long total = 0;
    for (ByteBuffer part : parts) {
      total += part.remaining();
    }
    return total;
  }
}
