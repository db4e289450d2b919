package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.FreePort;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reloads every 200 ms for 10 s under concurrent traffic (streams included) and counts: every request sent
 * must come back 200 and complete, and no request may mix two snapshots (backend of one, model of the other).
 */
@ExtendWith(VertxExtension.class)
class ReloadLoadIT {

  private static final int CLIENTS = 8;
  private static final Duration RUN = Duration.ofSeconds(10);
  private static final Duration RELOAD_EVERY = Duration.ofMillis(200);

  private static MockUpstream.Reply streamOrJson() {
    return (req, body, up) -> {
      JsonObject json = body.toJsonObject();
      String model = json.getString("model");
      if (Boolean.TRUE.equals(json.getValue("stream"))) {
        // ~100 ms of stream, so many of them span a reload.
        MockUpstream.sse(MockUpstream.openAiStream(model, "a", "b", "c"), Duration.ofMillis(20), true)
            .send(req, body, up);
      } else {
        MockUpstream.chat("ok").send(req, body, up);
      }
    };
  }

  /** Two verticle instances need a fixed port to share (the foundation binds port 0 only for one instance). */
  private static int port;


  private static String config(int generation, MockUpstream a, MockUpstream b) {
    String backend = generation % 2 == 0 ? "a" : "b";
    // The second alias comes and goes, so every reload adds or removes something too.
    String extra = generation % 3 == 0 ? "  extra: [{backend: a, model: x}]\n" : "";
    return """
        listen: "127.0.0.1:%d"
        proxy: {watch_interval: 0}
        backends:
          - {name: a, url: "%s"}
          - {name: b, url: "%s"}
        models:
          m: [{backend: %s, model: real-%s}]
        %s""".formatted(port, a.url(), b.url(), backend, backend, extra);
  }

  @Test
  void reloadEvery200msFor10sDropsNoRequest(Vertx vertx) throws Exception {
    MockUpstream a = MockUpstream.start(vertx, "a").always(streamOrJson());
    MockUpstream b = MockUpstream.start(vertx, "b").always(streamOrJson());
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger streams = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicLong slowestMillis = new AtomicLong();
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger reloadsApplied = new AtomicInteger();
    Queue<String> reloadFailures = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    port = FreePort.loopback();

    try (GatewayHarness gw = GatewayHarness.start(vertx, config(0, a, b), Map.of(), 2)) {
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor();
      AtomicInteger generation = new AtomicInteger();
      reloader.scheduleAtFixedRate(() -> {
        try {
          gw.writeFile("config.yaml", config(generation.incrementAndGet(), a, b));
          var r = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/admin/reload"))
              .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && new JsonObject(r.body()).getString("outcome").equals("applied")) {
            reloadsApplied.incrementAndGet();
          } else {
            reloadFailures.add(r.statusCode() + " " + r.body());
          }
        } catch (RuntimeException e) {
          reloadFailures.add(e.toString());
        }
      }, 0, RELOAD_EVERY.toMillis(), TimeUnit.MILLISECONDS);

      for (int c = 0; c < CLIENTS; c++) {
        clients.submit(() -> {
          while (running.get()) {
            int n = sent.incrementAndGet();
            boolean stream = n % 3 == 0;
            if (stream) {
              streams.incrementAndGet();
            }
            long started = System.nanoTime();
            try {
              var r = gw.post("/v1/chat/completions", GatewayHarness.chat("m", stream));
              boolean complete = stream ? r.body().contains("data: [DONE]") : r.body().contains("\"choices\"");
              if (r.statusCode() == 200 && complete) {
                ok.incrementAndGet();
              } else {
                failures.add(r.statusCode() + " " + r.body());
              }
            } catch (RuntimeException e) {
              failures.add(e.toString());
            }
            slowestMillis.accumulateAndGet((System.nanoTime() - started) / 1_000_000, Math::max);
          }
        });
      }

      CountDownLatch elapsed = new CountDownLatch(1);
      reloader.schedule(elapsed::countDown, RUN.toMillis(), TimeUnit.MILLISECONDS);
      elapsed.await();
      running.set(false);
      reloader.shutdown();
      clients.shutdown();
      assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients finished");
      assertTrue(reloader.awaitTermination(30, TimeUnit.SECONDS), "reloader finished");

      System.out.printf("reload load test: %d requests sent (%d streams) by %d clients in %ds, %d x 200 complete,"
              + " %d failed; %d reloads applied, %d reload failures; slowest request %d ms%n",
          sent.get(), streams.get(), CLIENTS, RUN.toSeconds(), ok.get(), failures.size(), reloadsApplied.get(),
          reloadFailures.size(), slowestMillis.get());

      List<String> firstFailures = new ArrayList<>(failures).subList(0, Math.min(5, failures.size()));
      assertEquals(List.of(), firstFailures, "failed requests");
      assertEquals(sent.get(), ok.get(), "every request sent got a complete 200");
      assertEquals(sent.get(), a.count() + b.count(), "every request reached exactly one upstream once");
      assertEquals(List.of(), List.copyOf(reloadFailures));
      assertTrue(reloadsApplied.get() >= 40, "reloads applied: " + reloadsApplied.get());
      assertTrue(sent.get() > 100, "enough traffic to mean something: " + sent.get());
      assertTrue(a.received().stream().allMatch(r -> r.json().getString("model").equals("real-a")), "a saw only its model");
      assertTrue(b.received().stream().allMatch(r -> r.json().getString("model").equals("real-b")), "b saw only its model");
      assertTrue(a.count() > 0 && b.count() > 0, "both routes served: a=" + a.count() + " b=" + b.count());
    } finally {
      a.close();
      b.close();
    }
  }
}
