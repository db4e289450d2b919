package dev.llmproxy.connections;

import dev.llmproxy.config.ServerSettings;
import dev.llmproxy.protocol.ErrorKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The idle and header timeouts of one client connection. A connection is always in one of three phases, and
 * only the first two have a clock:
 * <ul>
 *   <li><b>waiting</b> for a request: a new connection has {@code header_timeout} from its accept to send a
 *       complete request head; a kept-alive one has {@code idle_timeout} until its next request starts;
 *   <li><b>reading a head</b>: from the first byte of a kept-alive connection's next request, {@code
 *       header_timeout} to complete it (a slow sender cannot reset the clock by trickling bytes);
 *   <li><b>in a request</b>: from a complete request head until the last byte of its response. No limit here,
 *       so a stream is never cut, however long it runs or pauses (the body has its own limit where it is read).
 * </ul>
 * A connection whose clock runs out is closed; one that was part-way through a request head first gets a 408.
 *
 * <p>Two handlers share this state: one before the HTTP decoder sees raw bytes arrive, one between the HTTP
 * codec and Vert.x sees request heads come in and responses end. Both run on the connection's event loop.
 */
final class ConnectionTimeouts {

  private enum Phase { WAITING, READING_HEAD, IN_REQUEST }

  private final ServerSettings settings;
  private final Consumer<String> onTimeout;
  private Phase phase = Phase.WAITING;
  private boolean keptAlive;
  private int requestsStarted;
  private int responsesEnded;
  private ScheduledFuture<?> timer;
  private ChannelHandlerContext rawContext;

  private ConnectionTimeouts(ServerSettings settings, Consumer<String> onTimeout) {
    this.settings = settings;
    this.onTimeout = onTimeout;
  }

  /**
   * @param decoderName the HTTP request decoder's name in the pipeline
   * @param vertxHandlerName the Vert.x connection handler's name (last inbound handler)
   * @param onTimeout told which limit closed a connection ({@code idle_timeout} or {@code header_timeout})
   */
  static void install(ChannelPipeline pipeline, String decoderName, String vertxHandlerName, ServerSettings settings,
      Consumer<String> onTimeout) {
    ConnectionTimeouts timeouts = new ConnectionTimeouts(settings, onTimeout);
    pipeline.addBefore(decoderName, "llmproxy-bytes-in", timeouts.new BytesIn());
    pipeline.addBefore(vertxHandlerName, "llmproxy-exchanges", timeouts.new Exchanges());
  }

  /** Sees raw bytes arrive: the start of a request head. */
  private final class BytesIn extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      rawContext = ctx;
      arm(ctx, settings.headerTimeout(), "header_timeout");  // a new connection owes us a request head
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (phase == Phase.WAITING && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        phase = Phase.READING_HEAD;
        if (keptAlive) {
          arm(ctx, settings.headerTimeout(), "header_timeout");
        }
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }
  }

  /** Sees decoded request heads come in and encoded-to-be responses end. */
  private final class Exchanges extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        requestsStarted++;
        phase = Phase.IN_REQUEST;
        cancel();
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      // A "100 Continue" is a whole message too, but the request it answers is still in progress.
      boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (msg instanceof LastHttpContent && !interim) {
        responsesEnded++;
        if (responsesEnded >= requestsStarted) {
          phase = Phase.WAITING;
          keptAlive = true;
          arm(ctx, settings.idleTimeout(), "idle_timeout");
        }
      }
      super.write(ctx, msg, promise);
    }
  }

  private void arm(ChannelHandlerContext ctx, Duration after, String limit) {
    cancel();
    if (after.isZero()) {
      return;
    }
    timer = ctx.executor().schedule(() -> expire(limit), after.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void expire(String limit) {
    timer = null;
    if (phase == Phase.IN_REQUEST || rawContext == null || !rawContext.channel().isActive()) {
      return;
    }
    onTimeout.accept(limit);
    if (phase == Phase.READING_HEAD) {
      // Written below the HTTP codec: the request head never completed, so Vert.x has no request to answer.
      rawContext.writeAndFlush(RawResponses.error(ErrorKind.REQUEST_TIMEOUT,
          "The request head did not arrive within server.header_timeout; closing the connection."))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      rawContext.close();
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
