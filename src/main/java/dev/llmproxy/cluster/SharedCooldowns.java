package dev.llmproxy.cluster;

import static dev.llmproxy.cluster.RedisLink.bytes;
import static dev.llmproxy.cluster.RedisLink.text;

import dev.llmproxy.fallback.CooldownRegistry;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet side of {@link CooldownRegistry}. A circuit this replica opens is stored in Redis ({@code
 * <prefix>cooldown:<route>}, "failures untilMillis", with an expiry) and announced on {@code <prefix>cooldowns};
 * every replica applies the announcement to its own registry within a pub/sub hop, so decisions stay local and
 * cost no round trip. The one probe after a cooldown is a {@code SET NX} lease ({@code <prefix>probe:<route>})
 * renewed while the probe runs, so it stays single across the fleet and a dead prober's lease expires.
 *
 * <p>In local mode the registry works alone; what it learnt is pushed when Redis is back, and what the fleet
 * stored is pulled ({@link #resync}).
 */
final class SharedCooldowns implements CooldownRegistry.Fleet {

  private static final Logger LOG = LoggerFactory.getLogger(SharedCooldowns.class);
  /** How long a circuit's record outlives its cooldown: its failure count must survive until the probe. */
  private static final Duration RETAIN_AFTER_COOLDOWN = Duration.ofHours(1);

  private final RedisLink link;
  private final CooldownRegistry registry;
  private final Clock clock;
  private final String prefix;
  private final String channel;
  private final Set<String> heldProbes = ConcurrentHashMap.newKeySet();
  /** Circuits closed here while local: their stale records are deleted on re-sync. */
  private final Set<String> closedWhileLocal = ConcurrentHashMap.newKeySet();

  SharedCooldowns(RedisLink link, CooldownRegistry registry, Clock clock) {
    this.link = link;
    this.registry = registry;
    this.clock = clock;
    this.prefix = link.settings().keyPrefix();
    this.channel = prefix + "cooldowns";
    link.subscribe(channel, this::onMessage);
    link.onResync(this::resync);
  }

  private String cooldownKey(String route) {
    return prefix + "cooldown:" + route;
  }

  private String probeKey(String route) {
    return prefix + "probe:" + route;
  }

  @Override
  public void opened(String route, CooldownRegistry.State state) {
    heldProbes.remove(route);
    closedWhileLocal.remove(route);
    if (link.shared()) {
      push(route, state);
    }
  }

  private Future<Void> push(String route, CooldownRegistry.State state) {
    long until = state.until().toEpochMilli();
    long ttl = Math.max(1, until - clock.millis()) + RETAIN_AFTER_COOLDOWN.toMillis();
    String message = "open " + link.replicaId() + " " + state.failures() + " " + until + " " + route;
    return link.attempt("cooldown_open", () -> link.connection().async().<Long>eval(RedisScripts.OPEN,
        ScriptOutputType.INTEGER, new String[] {cooldownKey(route), probeKey(route)},
        bytes(state.failures() + " " + until), bytes(String.valueOf(ttl)), bytes(channel), bytes(message),
        bytes(link.replicaId()))).mapEmpty();
  }

  @Override
  public void closed(String route) {
    heldProbes.remove(route);
    if (!link.shared()) {
      closedWhileLocal.add(route);
      return;
    }
    String message = "closed " + link.replicaId() + " " + route;
    link.command("cooldown_close", c -> c.<Long>eval(RedisScripts.CLOSE, ScriptOutputType.INTEGER,
        new String[] {cooldownKey(route), probeKey(route)}, bytes(channel), bytes(message)));
  }

  @Override
  public Future<Boolean> claimProbe(String route) {
    if (!link.shared()) {
      return Future.succeededFuture(true);  // local mode: this replica's registry alone decides
    }
    long ttl = link.settings().leaseTtl().toMillis();
    return link.command("probe_claim", c -> c.set(probeKey(route), bytes(link.replicaId()),
            SetArgs.Builder.nx().px(ttl)))
        .map(ok -> {
          boolean won = "OK".equals(ok);
          if (won) {
            heldProbes.add(route);
          }
          return won;
        })
        .otherwise(true);  // Redis failed just now: the replica is local from here on, and so is the decision
  }

  @Override
  public void probeReleased(String route) {
    if (heldProbes.remove(route) && link.shared()) {
      String message = "released " + link.replicaId() + " " + route;
      link.command("probe_release", c -> c.<Long>eval(RedisScripts.RELEASE_PROBE, ScriptOutputType.INTEGER,
          new String[] {probeKey(route)}, bytes(link.replicaId()), bytes(channel), bytes(message)));
    }
  }

  @Override
  public Duration probeLease() {
    return link.settings().leaseTtl();
  }

  /** Keeps this replica's probe leases alive while the probes run (called every third of the lease). */
  void renew() {
    if (!link.shared()) {
      return;
    }
    long ttl = link.settings().leaseTtl().toMillis();
    for (String route : heldProbes) {
      link.command("probe_renew", c -> c.<Long>eval(RedisScripts.RENEW_IF_OWNER, ScriptOutputType.INTEGER,
          new String[] {probeKey(route)}, bytes(link.replicaId()), bytes(String.valueOf(ttl))));
    }
  }

  /** Applies another replica's announcement. Runs on a Redis client thread; the registry is thread-safe. */
  private void onMessage(String message) {
    String[] parts = message.split(" ", 5);
    try {
      if (parts[0].equals("open") && parts.length == 5 && !parts[1].equals(link.replicaId())) {
        registry.learnOpen(parts[4], Integer.parseInt(parts[2]), Instant.ofEpochMilli(Long.parseLong(parts[3])));
      } else if (parts[0].equals("closed") && parts.length >= 3 && !parts[1].equals(link.replicaId())) {
        registry.learnClosed(message.split(" ", 3)[2]);
      } else if (parts[0].equals("released") && parts.length >= 3 && !parts[1].equals(link.replicaId())) {
        registry.learnProbeReleased(message.split(" ", 3)[2]);
      }
    } catch (NumberFormatException e) {
      LOG.warn("ignored a malformed cooldown message", e);
    }
  }

  /**
   * Redis is reachable again (or for the first time): delete the records of circuits closed here meanwhile,
   * push the circuits open here (with their announcement), re-take probe leases held here, then learn every
   * circuit the fleet stored.
   */
  Future<Void> resync() {
    List<Future<?>> pushed = new ArrayList<>();
    for (String route : Set.copyOf(closedWhileLocal)) {
      pushed.add(link.attempt("cooldown_resync", () -> link.connection().async().del(cooldownKey(route)))
          .onSuccess(n -> closedWhileLocal.remove(route)));
    }
    for (Map.Entry<String, CooldownRegistry.State> open : registry.openCircuits().entrySet()) {
      pushed.add(push(open.getKey(), open.getValue()));
    }
    long ttl = link.settings().leaseTtl().toMillis();
    for (String route : heldProbes) {
      pushed.add(link.attempt("cooldown_resync", () -> link.connection().async().set(probeKey(route),
          bytes(link.replicaId()), SetArgs.Builder.nx().px(ttl))));
    }
    return Future.all(pushed).compose(v -> pull(ScanCursor.INITIAL));
  }

  private Future<Void> pull(ScanCursor cursor) {
    String pattern = prefix + "cooldown:*";
    return link.attempt("cooldown_resync", () -> link.connection().async()
            .scan(cursor, ScanArgs.Builder.matches(pattern).limit(200)))
        .compose(page -> learn(page).compose(v -> page.isFinished() ? Future.succeededFuture() : pull(page)));
  }

  private Future<Void> learn(KeyScanCursor<String> page) {
    List<Future<?>> reads = new ArrayList<>();
    for (String key : page.getKeys()) {
      String route = key.substring((prefix + "cooldown:").length());
      reads.add(link.attempt("cooldown_resync", () -> link.connection().async().get(key)).onSuccess(value -> {
        String[] parts = value == null ? new String[0] : text(value).split(" ");
        if (parts.length == 2) {
          registry.learnOpen(route, Integer.parseInt(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])));
        }
      }));
    }
    return Future.all(reads).mapEmpty();
  }
}
