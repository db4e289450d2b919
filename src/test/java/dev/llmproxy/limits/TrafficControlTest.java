package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.support.ConfigFiles;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hot reload as the reload engineer's listener will drive it: reconfigure(Snapshot) with a new snapshot. */
@ExtendWith(VertxExtension.class)
class TrafficControlTest {

  private static Snapshot load(Path dir, String limits) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        listen: "127.0.0.1:0"
        backends:
          - {name: local, type: echo}
        models:
          a: [{backend: local}]
          b: [{backend: local}]
        """ + limits);
    return ConfigFiles.load(file);
  }

  @Test
  void reconfigureWithANewSnapshotKeepsUnchangedBucketsAndAppliesNewRates(Vertx vertx) throws Exception {
    Path dir = Files.createTempDirectory("traffic");
    ManualTime time = new ManualTime();
    Snapshot v1 = load(dir, "rate_limit: {global_rps: 100, per_ip_rps: 0, burst_factor: 1, per_model_rps: {a: 4, b: 4}}\n"
        + "concurrency: {max_requests: 1, max_queue_size: 5}\n");
    TrafficControl traffic = new TrafficControl(vertx, v1, time);
    for (int i = 0; i < 4; i++) {
      traffic.rates().admit("ip", "a");
    }
    traffic.rates().admit("ip", "b");
    assertEquals(95, traffic.rates().globalTokens());

    Snapshot v2 = load(dir, "rate_limit: {global_rps: 100, per_ip_rps: 0, burst_factor: 1, per_model_rps: {a: 4, b: 2}}\n"
        + "concurrency: {max_requests: 3, max_queue_size: 5}\n");
    Slot held = traffic.gate().enter().slot().result();
    var queued = traffic.gate().enter().slot();
    traffic.reconfigure(v2);
    assertEquals(95, traffic.rates().globalTokens(), "global rate unchanged: bucket untouched");
    assertEquals(0, traffic.rates().modelTokens("a"), "model a unchanged: still empty, not refilled");
    assertEquals(2, traffic.rates().modelTokens("b"), "model b: new capacity applies, tokens capped");
    assertEquals(RateLimiters.PER_MODEL, traffic.rates().admit("ip", "a").limit());
    queued.toCompletionStage().toCompletableFuture().get().release();
    held.release();
    assertEquals(3, traffic.gate().settings().maxRequests());
    assertEquals(0, traffic.inFlight());
    assertEquals(1L, traffic.rejections().get(RateLimiters.PER_MODEL));
  }

  @Test
  void aRequestPinnedToANewerSnapshotAppliesItAndAnOlderOneDoesNot(Vertx vertx) throws Exception {
    Path dir = Files.createTempDirectory("traffic");
    Snapshot v1 = load(dir, "rate_limit: {global_rps: 10}\n");
    Snapshot v2 = load(dir, "rate_limit: {global_rps: 20}\n");
    TrafficControl traffic = new TrafficControl(vertx, v1, new ManualTime());
    traffic.sync(v2);
    assertEquals(20, traffic.rates().settings().globalRps());
    traffic.sync(v1);
    assertEquals(20, traffic.rates().settings().globalRps(), "a straggler with the old snapshot changes nothing");
  }
}
