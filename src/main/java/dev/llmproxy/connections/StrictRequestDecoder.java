package dev.llmproxy.connections;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Vert.x's request decoder, with the message-framing rules of RFC 9112 section 6.1 that keep a request from
 * being read two ways (request smuggling through a front proxy that reads it the other way):
 * <ul>
 *   <li>both {@code Content-Length} and {@code Transfer-Encoding}: refused with 400. Netty would silently drop
 *       the length and read the chunked body, keeping the connection open for whatever follows;
 *   <li>a {@code Transfer-Encoding} whose final coding is not {@code chunked}: the length cannot be known, 400;
 *   <li>any coding besides {@code chunked} (e.g. {@code gzip, chunked}): not implemented here, 501.
 * </ul>
 * The refused request reaches Vert.x marked as invalid (so the invalid-request handler answers it), followed by
 * an empty end of body; every byte after it is discarded, and Vert.x closes the connection after the answer.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  private boolean discarding;

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (discarding) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof HttpRequest request && refuse(request)) {
        // Nothing after the refused request's head is read as anything: not its body, not a next request.
        List<Object> dropped = new ArrayList<>(out.subList(i + 1, out.size()));
        out.subList(i + 1, out.size()).clear();
        dropped.forEach(io.netty.util.ReferenceCountUtil::release);
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        discarding = true;
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
    }
  }

  /** At the connection's end the base decoder would report the refused request's unread body as cut short. */
  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (discarding) {
      in.skipBytes(in.readableBytes());
      return;
    }
    super.decodeLast(ctx, in, out);
  }

  /** Netty calls this when both headers are present, then drops Content-Length; we refuse the request instead. */
  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.setDecoderResult(DecoderResult.failure(new FramingViolation(400,
        "A request must not carry both Content-Length and Transfer-Encoding (RFC 9112 section 6.1).")));
  }

  /** @return whether the request is refused (marked invalid); true also for requests the base decoder refused */
  private static boolean refuse(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return request.decoderResult().cause() instanceof FramingViolation;
    }
    List<String> encodings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (encodings.isEmpty()) {
      return false;
    }
    List<String> codings = new ArrayList<>();
    for (String header : encodings) {
      for (String coding : header.split(",")) {
        if (!coding.isBlank()) {
          codings.add(coding.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    FramingViolation violation = null;
    if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      violation = new FramingViolation(400,
          "A request must not carry both Content-Length and Transfer-Encoding (RFC 9112 section 6.1).");
    } else if (codings.isEmpty() || !codings.get(codings.size() - 1).equals("chunked")) {
      violation = new FramingViolation(400,
          "Transfer-Encoding must end with chunked (RFC 9112 section 6.1), got \"" + String.join(", ", encodings) + "\".");
    } else if (codings.size() > 1) {
      violation = new FramingViolation(501,
          "Only the chunked transfer coding is supported, got \"" + String.join(", ", encodings) + "\".");
    }
    if (violation == null) {
      return false;
    }
    request.setDecoderResult(DecoderResult.failure(violation));
    return true;
  }
}
