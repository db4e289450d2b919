import dev.llmproxy.config.ConcurrencySettings;
import dev.llmproxy.config.RateLimitSettings;
import dev.llmproxy.limits.ConcurrencyGate;
import dev.llmproxy.limits.RateLimiters;
import dev.llmproxy.limits.Slot;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process cost of the traffic-control stages per request, free of network and load-generator noise.
 * Run after `mvn -B package -DskipTests`:
 *
 *   java -cp dist/llm-proxy.jar bench/LimiterMicroBench.java
 */
public class LimiterMicroBench {

  public static void main(String[] args) throws Exception {
    // Rates high enough never to reject: this measures the bookkeeping, not rejections.
    RateLimitSettings all = new RateLimitSettings(true, 1_000_000_000L, 1_000_000_000L, 1, Map.of("gpt-4", 1_000_000_000L), 100_000);
    RateLimiters limiters = new RateLimiters(all);
    String[] ips = new String[1024];
    for (int i = 0; i < ips.length; i++) {
      ips[i] = "10.0." + (i >> 8) + "." + (i & 255);
    }
    RateLimiters globalOnly = new RateLimiters(new RateLimitSettings(true, 1_000_000_000L, 0, 1, Map.of(), 100_000));
    // Three rounds: on a shared machine the best round is the cost, the spread is the neighbours.
    for (int round = 1; round <= 3; round++) {
      measure("admit: global only", 1, 2, i -> globalOnly.admit("10.0.0.1", "gpt-4"));
      for (int threads : new int[] {1, 2}) {
        measure("admit: per-IP (1024 IPs) + per-model + global", threads, 2, i -> limiters.admit(ips[i & 1023], "gpt-4"));
      }
    }
    Vertx vertx = Vertx.vertx();
    ConcurrencyGate gate = new ConcurrencyGate(vertx,
        new ConcurrencySettings(true, 1_000_000, 1000, Duration.ofSeconds(30), 0));
    for (int threads : new int[] {1, 2}) {
      measure("gate: enter + release (never queued)", threads, 2, i -> {
        Slot s = gate.enter().slot().result();
        s.release();
      });
    }
    vertx.close().await();
  }

  interface Op {
    void run(int i);
  }

  static void measure(String name, int threads, int seconds, Op op) throws InterruptedException {
    // Warm up, then count operations for a fixed wall time.
    long warmEnd = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; System.nanoTime() < warmEnd; i++) {
      op.run(i);
    }
    LongAdder ops = new LongAdder();
    CountDownLatch done = new CountDownLatch(threads);
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    for (int t = 0; t < threads; t++) {
      int offset = t * 7919;
      new Thread(() -> {
        long n = 0;
        while (System.nanoTime() < end) {
          for (int k = 0; k < 1000; k++) {
            op.run((int) (n + k + offset));
          }
          n += 1000;
        }
        ops.add(n);
        done.countDown();
      }).start();
    }
    done.await();
    double perSecond = ops.sum() / (double) seconds;
    System.out.printf("%-50s threads=%d  %,12.0f ops/s  %8.0f ns/op (per thread)%n",
        name, threads, perSecond, threads * 1e9 / perSecond);
  }
}
