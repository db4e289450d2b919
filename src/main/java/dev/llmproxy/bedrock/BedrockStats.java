package dev.llmproxy.bedrock;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Per-backend counters for {@code /health/bedrock}: frames decoded, decode errors, signing failures. Thread-safe. */
final class BedrockStats {

  private static final class Counters {
    final AtomicLong frames = new AtomicLong();
    final AtomicLong decodeErrors = new AtomicLong();
    final AtomicLong signingErrors = new AtomicLong();
    final AtomicReference<String> lastError = new AtomicReference<>();
  }

  private final Map<String, Counters> byBackend = new ConcurrentHashMap<>();

  private Counters of(String backend) {
    return byBackend.computeIfAbsent(backend, b -> new Counters());
  }

  void frames(String backend, int n) {
    of(backend).frames.addAndGet(n);
  }

  void decodeError(String backend, String message) {
    Counters c = of(backend);
    c.decodeErrors.incrementAndGet();
    c.lastError.set(message);
  }

  void signingError(String backend, String message) {
    Counters c = of(backend);
    c.signingErrors.incrementAndGet();
    c.lastError.set(message);
  }

  JsonObject json(String backend) {
    Counters c = of(backend);
    return new JsonObject()
        .put("frames_decoded", c.frames.get())
        .put("decode_errors", c.decodeErrors.get())
        .put("signing_errors", c.signingErrors.get())
        .put("last_error", c.lastError.get());
  }
}
