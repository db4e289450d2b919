package dev.llmproxy.cluster;

import static dev.llmproxy.cluster.RedisLink.bytes;

import dev.llmproxy.limits.BackendSlots;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code concurrency.per_backend_limit} counted across the fleet ({@code cluster.per_backend_limit: fleet}). Each
 * slot is a lease in a Redis sorted set per backend ({@code <prefix>slots:<backend>}, scored by expiry): taken
 * atomically only while the set holds fewer than the limit, renewed by its replica every third of
 * {@code lease_ttl}, removed on release. A replica that dies stops renewing, and its leases are dropped by the
 * next acquisition after they expire, so no slot leaks for longer than {@code lease_ttl}. A release on a backend
 * that was full is announced on {@code <prefix>slots}, waking the requests other replicas keep waiting.
 *
 * <p>In local mode a slot is this replica's alone (the replica's own count still applies); the leases taken or
 * released meanwhile are written to Redis on re-sync.
 */
final class SharedBackendSlots implements BackendSlots.Fleet {

  /** A waiting request asks the fleet again this often: an expired lease frees a slot without a message. */
  static final Duration RECHECK = Duration.ofMillis(250);

  private final RedisLink link;
  private final Clock clock;
  private final String prefix;
  private final String channel;
  private final Map<String, Lease> held = new ConcurrentHashMap<>();
  /** Leases released while local that may still be in Redis: removed on re-sync. */
  private final Map<String, Lease> releasedWhileLocal = new ConcurrentHashMap<>();
  private final List<Consumer<String>> freedListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();

  /** One slot of this replica. Its lock orders the Redis writes of its release against those of a re-sync. */
  private static final class Lease {
    final String backend;
    final String id;
    final int limit;
    boolean inRedis;
    boolean released;

    Lease(String backend, String id, int limit) {
      this.backend = backend;
      this.id = id;
      this.limit = limit;
    }
  }

  SharedBackendSlots(RedisLink link, Clock clock) {
    this.link = link;
    this.clock = clock;
    this.prefix = link.settings().keyPrefix();
    this.channel = prefix + "slots";
    link.subscribe(channel, message -> {
      if (message.startsWith("freed ")) {
        String backend = message.substring("freed ".length());
        freedListeners.forEach(l -> l.accept(backend));
      }
    });
    link.onResync(this::resync);
  }

  private String key(String backend) {
    return prefix + "slots:" + backend;
  }

  private long ttlMillis() {
    return link.settings().leaseTtl().toMillis();
  }

  @Override
  public Future<Optional<Runnable>> tryLease(String backend, int limit) {
    Lease lease = new Lease(backend, link.replicaId() + ":" + sequence.incrementAndGet(), limit);
    if (!link.shared()) {
      return Future.succeededFuture(Optional.of(hold(lease)));
    }
    long now = clock.millis();
    return link.command("slot_acquire", c -> c.<Long>eval(RedisScripts.ACQUIRE_SLOT, ScriptOutputType.INTEGER,
            new String[] {key(backend)}, bytes(String.valueOf(now)), bytes(String.valueOf(now + ttlMillis())),
            bytes(lease.id), bytes(String.valueOf(limit)), bytes(String.valueOf(ttlMillis()))))
        .transform(ar -> {
          if (ar.failed()) {
            return Future.succeededFuture(Optional.of(hold(lease)));  // local from here on
          }
          if (ar.result() != 1L) {
            return Future.succeededFuture(Optional.empty());
          }
          lease.inRedis = true;
          return Future.succeededFuture(Optional.of(hold(lease)));
        });
  }

  @Override
  public Runnable leaseUnchecked(String backend) {
    Lease lease = new Lease(backend, link.replicaId() + ":" + sequence.incrementAndGet(), 0);
    Runnable release = hold(lease);
    if (link.shared()) {
      synchronized (lease) {
        lease.inRedis = true;  // optimistic: a failed write sends the replica local, and the re-sync writes it
        register(lease);
      }
    }
    return release;
  }

  @Override
  public void onFreed(Consumer<String> listener) {
    freedListeners.add(listener);
  }

  @Override
  public Duration recheck() {
    return RECHECK;
  }

  private Runnable hold(Lease lease) {
    held.put(lease.id, lease);
    return () -> release(lease);
  }

  private void release(Lease lease) {
    synchronized (lease) {
      if (lease.released) {
        return;
      }
      lease.released = true;
      held.remove(lease.id);
      if (!lease.inRedis) {
        return;
      }
      if (!link.shared()) {
        releasedWhileLocal.put(lease.id, lease);  // it expires anyway; removed sooner on re-sync
        return;
      }
      String message = "freed " + lease.backend;
      link.command("slot_release", c -> c.<Long>eval(RedisScripts.RELEASE_SLOT, ScriptOutputType.INTEGER,
              new String[] {key(lease.backend)}, bytes(lease.id), bytes(channel), bytes(message),
              bytes(String.valueOf(lease.limit))))
          .onFailure(e -> releasedWhileLocal.put(lease.id, lease));
    }
  }

  private Future<Long> register(Lease lease) {
    long expiry = clock.millis() + ttlMillis();
    return link.attempt("slot_register", () -> link.connection().async().<Long>eval(RedisScripts.REGISTER_SLOT,
        ScriptOutputType.INTEGER, new String[] {key(lease.backend)}, bytes(String.valueOf(expiry)), bytes(lease.id),
        bytes(String.valueOf(ttlMillis()))));
  }

  /** Keeps this replica's leases alive (called every third of {@code lease_ttl}); one call per backend. */
  void renew() {
    if (!link.shared()) {
      return;
    }
    Map<String, List<byte[]>> byBackend = new ConcurrentHashMap<>();
    for (Lease lease : held.values()) {
      if (lease.inRedis) {
        byBackend.computeIfAbsent(lease.backend, b -> new ArrayList<>()).add(bytes(lease.id));
      }
    }
    long expiry = clock.millis() + ttlMillis();
    byBackend.forEach((backend, ids) -> {
      List<byte[]> args = new ArrayList<>();
      args.add(bytes(String.valueOf(expiry)));
      args.add(bytes(String.valueOf(ttlMillis())));
      args.addAll(ids);
      link.command("slot_renew", c -> c.<Long>eval(RedisScripts.RENEW_SLOTS, ScriptOutputType.INTEGER,
          new String[] {key(backend)}, args.toArray(byte[][]::new)));
    });
  }

  /** Writes the slots held now (taken while local, or lost with a restarted Redis) and drops released ones. */
  Future<Void> resync() {
    List<Future<?>> writes = new ArrayList<>();
    for (Lease lease : List.copyOf(releasedWhileLocal.values())) {
      writes.add(link.attempt("slot_resync", () -> link.connection().async().zrem(key(lease.backend),
          bytes(lease.id))).onSuccess(n -> releasedWhileLocal.remove(lease.id)));
    }
    for (Lease lease : List.copyOf(held.values())) {
      synchronized (lease) {
        if (!lease.released) {
          lease.inRedis = true;
          writes.add(register(lease));
        }
      }
    }
    return Future.all(writes).mapEmpty();
  }
}
