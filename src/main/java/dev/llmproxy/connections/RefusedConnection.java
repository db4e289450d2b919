package dev.llmproxy.connections;

import dev.llmproxy.protocol.ErrorKind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Takes the HTTP decoder's place on a connection over {@code server.max_connections}: answers 503 at once, then
 * reads and drops whatever the client sends (so its request, sent before it saw the answer, does not turn the
 * close into a reset that would hide the 503) until the client closes, or at most a second.
 */
final class RefusedConnection extends ChannelInboundHandlerAdapter {

  static final long LINGER_MILLIS = 1000;

  private final int max;

  RefusedConnection(int max) {
    this.max = max;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(RawResponses.error(ErrorKind.UNAVAILABLE, "llm-proxy has " + max
        + " client connections open (server.max_connections); retry shortly.")).addListener(written -> {
          if (ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
          }
          ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }
}
