package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher without HTTP: forced reloads, listeners, ordering, the settle check, and the guard on exposed
 * listeners.
 */
@ExtendWith(VertxExtension.class)
class ConfigWatcherTest {

  private static final String EXPOSED = """
      listen: "0.0.0.0:8765"
      proxy_api_key: k
      proxy: {watch_interval: 0}
      backends: [{name: local, type: echo}]
      models: {m: [{backend: local}]}
      """;

  @TempDir
  Path dir;

  private ConfigWatcher watcher(Vertx vertx, String yaml, SnapshotHolder[] holder) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    ConfigLoader loader = new ConfigLoader(vertx, Map.of());
    holder[0] = new SnapshotHolder(loader.loadAndWait(file));
    ConfigWatcher watcher = new ConfigWatcher(vertx, loader, holder[0]);
    watcher.start(holder[0].current().listen());
    return watcher;
  }

  @Test
  void removingTheKeyWhileBoundToAPublicAddressIsRefusedEvenIfListenAlsoChanges(Vertx vertx) throws Exception {
    SnapshotHolder[] holder = new SnapshotHolder[1];
    ConfigWatcher watcher = watcher(vertx, EXPOSED, holder);
    Snapshot before = holder[0].current();
    // Alone, this file is valid (loopback needs no key); but the running server is still on 0.0.0.0.
    Files.writeString(dir.resolve("config.yaml"), EXPOSED.replace("0.0.0.0", "127.0.0.1").replace("proxy_api_key: k\n", ""));
    ReloadResult r = watcher.reload("test").await();
    assertEquals(ReloadResult.Outcome.REJECTED, r.outcome());
    assertTrue(r.problems().get(0).startsWith("proxy_api_key: required while the gateway listens on 0.0.0.0:8765"),
        r.problems().toString());
    assertSame(before, holder[0].current());
    watcher.stop().await();
  }

  @Test
  void listenersSeeEachAppliedSnapshotAndVersionsKeepCounting(Vertx vertx) throws Exception {
    SnapshotHolder[] holder = new SnapshotHolder[1];
    ConfigWatcher watcher = watcher(vertx, EXPOSED, holder);
    List<Long> seen = new CopyOnWriteArrayList<>();
    watcher.onReload(s -> seen.add(s.version()));
    assertEquals(1, holder[0].current().version());

    // Reloads asked for at once run one after the other, in the order asked.
    List<Future<ReloadResult>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(watcher.reload("test-" + i));
    }
    Future.all(all).await();
    List<Long> versions = all.stream().map(f -> f.result().version()).toList();
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L), versions);
    assertEquals(versions, seen);
    assertEquals(6, holder[0].current().version());
    assertEquals("test-4", watcher.lastResult().trigger());

    Files.writeString(dir.resolve("config.yaml"), "models: [");
    assertEquals(ReloadResult.Outcome.REJECTED, watcher.reload("bad").await().outcome());
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L), seen, "no listener call for a refused config");
    watcher.stop().await();
  }

  @Test
  void aFileChangedWhileItWasCompiledIsJudgedOnceItSettles(Vertx vertx) throws Exception {
    String yaml = """
        proxy: {watch_interval: 50ms}
        backends: [{name: local, type: echo}]
        models: {%s: [{backend: local}]}
        """;
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml.formatted("first"));
    // The editor's last write lands while the half-saved file is being compiled (the prompt read is part of it).
    AtomicReference<String> writeDuringCompile = new AtomicReference<>();
    List<Boolean> compiledOnAWorker = new CopyOnWriteArrayList<>();
    ConfigLoader loader = new ConfigLoader(vertx, Map.of(), promptsDir -> {
      compiledOnAWorker.add(Context.isOnWorkerThread());
      String pending = writeDuringCompile.getAndSet(null);
      if (pending != null) {
        try {
          Files.writeString(file, pending);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return PromptFiles.read(promptsDir);
    });
    SnapshotHolder holder = new SnapshotHolder(loader.loadAndWait(file));
    ConfigWatcher watcher = new ConfigWatcher(vertx, loader, holder);
    List<String> applied = new CopyOnWriteArrayList<>();
    watcher.onReload(s -> applied.add(String.join(",", s.aliases().keySet())));

    writeDuringCompile.set(yaml.formatted("settled"));
    Files.writeString(file, yaml.formatted("halfway"));
    watcher.start(holder.current().listen());
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> holder.current().aliases().containsKey("settled"));
    assertEquals(List.of("settled"), applied, "the content that changed under the compile never served");
    assertEquals(GatewayHarness.sha256(yaml.formatted("settled")), watcher.lastResult().configChecksum());
    assertEquals(List.of(true, true, true), compiledOnAWorker, "start-up, then the half-saved and the settled file");
    watcher.stop().await();
  }
}
