package dev.llmproxy.bedrock;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.fallback.PrepareBody;
import dev.llmproxy.net.Urls;
import dev.llmproxy.relay.RawReader;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.upstream.BackendWire;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Optional;

/**
 * What the gateway shares about Bedrock across event loops and reloads: the signer (with its credential
 * providers) and the decode statistics. Thread-safe.
 */
public final class Bedrock {

  /**
   * The request body a Bedrock route receives (the Anthropic-on-Bedrock body): its routes'
   * {@link PrepareBody}, e.g. {@code PrepareBody.REAL_MODEL.forBackendType(BackendType.BEDROCK, Bedrock.BODY)}.
   */
  public static final PrepareBody BODY = new BedrockBody();

  private final BedrockSigner signer;
  private final BedrockStats stats = new BedrockStats();

  public Bedrock(Clock clock) {
    this.signer = new BedrockSigner(clock);
  }

  /** The wire format for {@code type: bedrock} backends, for one event loop's upstream client. */
  public BackendWire wire(Vertx vertx) {
    return new BedrockWire(vertx, signer, stats);
  }

  /**
   * For Claude Code's Bedrock mode: decodes a copy of the eventstream the client receives unchanged, for the
   * relay's observers (token usage, capture) and the frame and decode-error counts of {@code /health/bedrock}. A
   * bad frame stops the copy, never the relay. The observers see each {@code chunk} frame as an event named by its
   * type with Bedrock's JSON as its data, and an exception frame as an Anthropic {@code error} event; the client's
   * bytes are the frames as they arrive, so none is named per event (raw and client bytes are empty).
   */
  public RawReader.Factory eventStreamReader() {
    return (exchange, observer) -> {
      Backend backend = exchange.candidate().backend();
      boolean eventStream = RawReader.contentType(exchange).startsWith(BedrockWire.EVENTSTREAM);
      if (backend.type() != BackendType.BEDROCK || !eventStream) {
        return Optional.empty();
      }
      EventStreamDecoder decoder = new EventStreamDecoder();
      return Optional.of(new RawReader() {
        private boolean broken;

        @Override
        public void chunk(Buffer bytes) {
          if (broken) {
            return;
          }
          try {
            var events = decoder.feed(bytes);
            stats.frames(backend.name(), events.size());
            for (var event : events) {
              if (event instanceof EventStreamDecoder.Chunk c) {
                observer.event(new SseEvent(Buffer.buffer(), c.type(), c.json()), Buffer.buffer());
              } else if (event instanceof EventStreamDecoder.Failure f) {
                observer.event(new SseEvent(Buffer.buffer(), "error", f.anthropicErrorEvent()), Buffer.buffer());
              }
            }
          } catch (RuntimeException e) {
            broken = true;
            stats.decodeError(backend.name(), e.getMessage());
          }
        }
      });
    };
  }

  /** {@code /health/bedrock}: each Bedrock backend's region, endpoint, credential source and decode counts. */
  JsonObject health(Snapshot snapshot) {
    JsonArray backends = new JsonArray();
    for (Backend b : snapshot.backends().values()) {
      if (b.type() == BackendType.BEDROCK) {
        backends.add(new JsonObject()
            .put("name", b.name())
            .put("region", b.bedrock().region())
            .put("url", Urls.withoutCredentials(b.url()))
            .put("enabled", b.enabled())
            .put("disabled_reason", b.disabledReason())
            .put("credentials", b.bedrock().credentialSource())
            .mergeIn(stats.json(b.name())));
      }
    }
    return new JsonObject()
        .put("status", backends.isEmpty() ? "not configured" : "ok")
        .put("passthrough", snapshot.passthrough().bedrock())
        .put("backends", backends);
  }
}
