package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * {@link PrepareBody#REAL_MODEL}. The client's request goes out as the client's bytes with only the model value
 * replaced ({@code parse} noted where it sits), and without copying them: the body sent is a composite of two
 * slices of the client's buffer around the new value, so a megabyte prompt costs each attempt a few small objects,
 * not a megabyte of copy (the bytes are copied once, into the socket's buffer, by the write). A body a stage changed
 * (a system prompt injected), or a continuation, is re-encoded.
 *
 * <p>The composite is read, never consumed: each reader ({@code HttpClientRequest.send}, capture, the Content-Length
 * Vert.x takes from its length) gets its own view ({@code BufferInternal.getByteBuf} hands out a slice, unreleasable
 * for a composite), so the same body can be written again on a retry and read by capture off the event loop, and
 * nothing is released that the client's buffer still owns.
 */
final class RealModel implements PrepareBody {

  @Override
  public Buffer prepare(RequestContext ctx, JsonObject body, Candidate route) {
    return body.copy().put("model", route.model()).toBuffer();
  }

  @Override
  public Buffer prepareOriginal(RequestContext ctx, Candidate route) {
    int[] model = ctx.rawModel();
    if (model == null) {
      return prepare(ctx, ctx.body(), route);
    }
    Buffer raw = ctx.rawBody();
    byte[] value = jsonString(route.model());
    if (!(raw instanceof BufferInternal internal)) {
      return Buffer.buffer(raw.length() - (model[1] - model[0]) + value.length)
          .appendBuffer(raw, 0, model[0])
          .appendBytes(value)
          .appendBuffer(raw, model[1], raw.length() - model[1]);
    }
    ByteBuf bytes = internal.getByteBuf();
    ByteBuf spliced = Unpooled.wrappedBuffer(bytes.slice(0, model[0]), Unpooled.wrappedBuffer(value),
        bytes.slice(model[1], bytes.readableBytes() - model[1]));
    return BufferInternal.buffer(spliced);
  }

  /** {@code model} as a JSON string: as it is between quotes when nothing in it needs escaping (a model id). */
  private static byte[] jsonString(String model) {
    int n = model.length();
    for (int i = 0; i < n; i++) {
      char c = model.charAt(i);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
        return Json.encode(model).getBytes(StandardCharsets.UTF_8);
      }
    }
    byte[] quoted = new byte[n + 2];
    quoted[0] = '"';
    for (int i = 0; i < n; i++) {
      quoted[i + 1] = (byte) model.charAt(i);
    }
    quoted[n + 1] = '"';
    return quoted;
  }
}
