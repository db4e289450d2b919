package dev.llmproxy.connections;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.config.ServerSettings;
import dev.llmproxy.config.SnapshotHolder;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every client connection of the gateway, all event loops together: counts them against
 * {@code server.max_connections}, and equips each accepted one with the strict request decoder and its idle and
 * header timeouts. Settings are read from the live config when a connection opens, so a reload applies to the
 * connections opened after it. Thread-safe: one instance serves every verticle.
 */
public final class ClientConnections {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);

  /** Names Vert.x 5 gives its HTTP/1.x handlers (HttpServerConnectionInitializer). */
  private static final String DECODER = "httpDecoder";
  private static final String VERTX_HANDLER = "handler";

  private final SnapshotHolder snapshots;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedSinceLimitReached = new AtomicLong();
  private final AtomicBoolean atLimit = new AtomicBoolean();
  private final AtomicBoolean unguardedWarned = new AtomicBoolean();
  private final Map<String, AtomicLong> timedOut = new ConcurrentHashMap<>();

  public ClientConnections(SnapshotHolder snapshots) {
    this.snapshots = snapshots;
  }

  /** Takes charge of the connections of {@code server}, created with {@code options}. */
  public void install(HttpServer server, HttpServerOptions options) {
    server.connectionHandler(connection -> accept(connection, options));
    server.invalidRequestHandler(CodecErrors::answer);
  }

  public int open() {
    return open.get();
  }

  public long refused() {
    return refused.get();
  }

  /** Connections closed by {@code limit} ({@code idle_timeout} or {@code header_timeout}). */
  public long timedOut(String limit) {
    AtomicLong count = timedOut.get(limit);
    return count == null ? 0 : count.get();
  }

  private void accept(HttpConnection connection, HttpServerOptions options) {
    ServerSettings settings = snapshots.current().server();
    ChannelPipeline pipeline = connection instanceof ConnectionBase base ? base.channelHandlerContext().pipeline() : null;
    if (pipeline == null || pipeline.get(DECODER) == null || pipeline.get(VERTX_HANDLER) == null) {
      // Not an HTTP/1.x connection as Vert.x 5.0 builds it (a Vert.x upgrade may rename things): serve it unguarded.
      if (unguardedWarned.compareAndSet(false, true)) {
        LOG.warn("client connection limits and request framing checks are not applied: unexpected connection type {}",
            kv("connection", connection.getClass().getName()));
      }
      return;
    }
    int max = settings.maxConnections();
    int current;
    do {
      current = open.get();
      if (max > 0 && current >= max) {
        refuse(pipeline, max);
        return;
      }
    } while (!open.compareAndSet(current, current + 1));
    connection.closeHandler(v -> closed(max));
    pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
    ConnectionTimeouts.install(pipeline, DECODER, VERTX_HANDLER, settings, this::recordTimeout);
  }

  private void refuse(ChannelPipeline pipeline, int max) {
    refused.incrementAndGet();
    refusedSinceLimitReached.incrementAndGet();
    if (atLimit.compareAndSet(false, true)) {
      LOG.warn("client connections at server.max_connections: refusing new connections with 503 until some close {} {}",
          kv("max_connections", max), kv("open", open.get()));
    }
    pipeline.replace(DECODER, DECODER, new RefusedConnection(max));
  }

  private void closed(int max) {
    int now = open.decrementAndGet();
    if (now < max && atLimit.compareAndSet(true, false)) {
      LOG.info("client connections below server.max_connections again {} {} {}", kv("max_connections", max),
          kv("open", now), kv("refused", refusedSinceLimitReached.getAndSet(0)));
    }
  }

  private void recordTimeout(String limit) {
    timedOut.computeIfAbsent(limit, l -> new AtomicLong()).incrementAndGet();
    LOG.debug("client connection closed by server.{}", limit);
  }
}
