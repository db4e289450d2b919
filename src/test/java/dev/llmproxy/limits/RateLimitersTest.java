package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.RateLimitSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitersTest {

  private final ManualTime time = new ManualTime();

  private static RateLimitSettings settings(long global, long perIp, double burst, Map<String, Long> perModel) {
    return new RateLimitSettings(true, global, perIp, burst, perModel, 1000);
  }

  private static int admitted(RateLimiters limiters, int requests, String ip, String alias) {
    int ok = 0;
    for (int i = 0; i < requests; i++) {
      if (limiters.admit(ip, alias).allowed()) {
        ok++;
      }
    }
    return ok;
  }

  @Test
  void burstGetsExactlyCapacityThenRefillsAtTheRate() {
    RateLimiters limiters = new RateLimiters(settings(20, 0, 1, Map.of()), time);
    assertEquals(20, admitted(limiters, 100, "10.0.0.1", "m"));

    RateDecision rejected = limiters.admit("10.0.0.1", "m");
    assertFalse(rejected.allowed());
    assertEquals(RateLimiters.GLOBAL, rejected.limit());
    assertEquals(1, rejected.retryAfterSeconds(), "one token is 50 ms away: rounded up to 1 s");
    assertEquals(81L, limiters.rejections().get("global"));

    time.advance(Duration.ofMillis(500));
    assertEquals(10, admitted(limiters, 100, "10.0.0.1", "m"), "half a second refills half the rate");
    time.advance(Duration.ofSeconds(5));
    assertEquals(20, admitted(limiters, 100, "10.0.0.1", "m"), "refill never exceeds capacity");
  }

  @Test
  void burstFactorSetsCapacity() {
    RateLimiters limiters = new RateLimiters(settings(10, 0, 1.5, Map.of()), time);
    assertEquals(15, admitted(limiters, 100, "a", "m"));
  }

  @Test
  void passingRequestReportsTheTightestLimit() {
    RateLimiters limiters = new RateLimiters(settings(1000, 5, 1, Map.of("m", 50L)), time);
    RateDecision d = limiters.admit("10.0.0.1", "m");
    assertTrue(d.allowed());
    assertEquals(RateLimiters.PER_IP, d.limit());
    assertEquals(5, d.rps());
    assertEquals(4, d.remaining());
    assertEquals(1, d.resetSeconds(), "1 token of 5 at 5/s is back in 0.2 s, rounded up");
    assertEquals(Map.of("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "4", "X-RateLimit-Reset", "1",
        "X-RateLimit-Scope", "per_ip"), d.headers());
  }

  @Test
  void perIpBucketsAreIsolated() {
    RateLimiters limiters = new RateLimiters(settings(0, 3, 1, Map.of()), time);
    assertEquals(3, admitted(limiters, 10, "10.0.0.1", "m"));
    assertEquals(3, admitted(limiters, 10, "10.0.0.2", "m"));
    RateDecision d = limiters.admit("10.0.0.1", "m");
    assertEquals(RateLimiters.PER_IP, d.limit());
    assertEquals("10.0.0.1", d.key());
  }

  @Test
  void perModelLimitAppliesOnlyToItsAlias() {
    RateLimiters limiters = new RateLimiters(settings(0, 0, 1, Map.of("gpt-4", 2L)), time);
    assertEquals(2, admitted(limiters, 10, "ip", "gpt-4"));
    assertEquals(10, admitted(limiters, 10, "ip", "other"));
    assertEquals(RateLimiters.PER_MODEL, limiters.admit("ip", "gpt-4").limit());
  }

  @Test
  void orderIsIpThenModelThenGlobalAndARejectionCostsNoTokenElsewhere() {
    RateLimiters limiters = new RateLimiters(settings(100, 10, 1, Map.of("m", 2L)), time);
    assertEquals(2, admitted(limiters, 2, "ip", "m"));
    assertEquals(8, limiters.ipTokens("ip"));
    assertEquals(98, limiters.globalTokens());

    RateDecision d = limiters.admit("ip", "m");
    assertEquals(RateLimiters.PER_MODEL, d.limit(), "the model limit is checked before the global one");
    assertEquals(8, limiters.ipTokens("ip"), "the IP token taken before the model rejection was given back");
    assertEquals(98, limiters.globalTokens(), "the global bucket was not touched");

    assertEquals(8, admitted(limiters, 100, "ip", "other"));
    assertEquals(RateLimiters.PER_IP, limiters.admit("ip", "m").limit(), "IP is checked first");
    assertEquals(0, limiters.modelTokens("m"));
  }

  @Test
  void reconfigureChangesOnlyTheRatesThatChanged() {
    RateLimiters limiters = new RateLimiters(settings(100, 10, 1, Map.of("a", 5L, "b", 5L)), time);
    admitted(limiters, 3, "ip", "a");
    admitted(limiters, 2, "ip", "b");
    assertEquals(95, limiters.globalTokens());

    // Only model b's rate changes; model a disappears; global and per-IP stay.
    limiters.reconfigure(settings(100, 10, 1, Map.of("b", 1L)));
    assertEquals(95, limiters.globalTokens(), "unchanged global bucket keeps its tokens");
    assertEquals(5, limiters.ipTokens("ip"), "unchanged per-IP bucket keeps its tokens");
    assertEquals(-1, limiters.modelTokens("a"), "bucket of a deleted limit is dropped");
    assertEquals(1, limiters.modelTokens("b"), "new capacity 1: tokens capped, not reset to full");
    assertTrue(limiters.admit("ip", "b").allowed());
    assertEquals(RateLimiters.PER_MODEL, limiters.admit("ip", "b").limit(), "new rate applies to the next request");
    assertTrue(limiters.admit("ip", "a").allowed(), "deleted limit no longer applies");

    time.advance(Duration.ofSeconds(1));
    limiters.reconfigure(settings(100, 10, 1, Map.of("b", 1L)));  // idempotent
    assertEquals(1, limiters.modelTokens("b"));
  }

  @Test
  void raisingARateKeepsTokensAndRefillsFaster() {
    RateLimiters limiters = new RateLimiters(settings(10, 0, 1, Map.of()), time);
    assertEquals(10, admitted(limiters, 10, "ip", "m"));
    limiters.reconfigure(settings(100, 0, 1, Map.of()));
    assertEquals(0, limiters.globalTokens(), "not reset to the new capacity");
    time.advance(Duration.ofMillis(100));
    assertEquals(10, admitted(limiters, 100, "ip", "m"), "refills at 100/s now");
  }

  @Test
  void disabledOrZeroRatesLimitNothing() {
    RateLimiters off = new RateLimiters(new RateLimitSettings(false, 1, 1, 1, Map.of("m", 1L), 10), time);
    assertEquals(100, admitted(off, 100, "ip", "m"));
    assertNull(off.admit("ip", "m").limit());
    RateLimiters zeros = new RateLimiters(settings(0, 0, 1, Map.of("m", 0L)), time);
    assertEquals(100, admitted(zeros, 100, "ip", "m"));
    assertEquals(Map.of(), zeros.admit("ip", "m").headers());
  }

  @Test
  void perIpCacheIsBounded() {
    RateLimiters limiters = new RateLimiters(new RateLimitSettings(true, 0, 5, 1, Map.of(), 100), time);
    for (int i = 0; i < 10_000; i++) {
      limiters.admit("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), "m");
    }
    assertTrue(limiters.trackedIps() <= 100, "an attacker cycling IPs cannot grow the cache: "
        + limiters.trackedIps());
    limiters.reconfigure(new RateLimitSettings(true, 0, 5, 1, Map.of(), 10));
    assertTrue(limiters.trackedIps() <= 10, "a smaller bound applies on reload: " + limiters.trackedIps());
  }

  @Test
  void idlePerIpBucketsExpireOnceTheyWouldBeFullAgain() {
    RateLimiters limiters = new RateLimiters(new RateLimitSettings(true, 0, 5, 1, Map.of(), 100), time);
    limiters.admit("10.0.0.1", "m");
    limiters.admit("10.0.0.2", "m");
    assertEquals(2, limiters.trackedIps());
    time.advance(Duration.ofSeconds(30));
    limiters.admit("10.0.0.2", "m");  // touched: stays
    time.advance(Duration.ofSeconds(31));
    assertEquals(1, limiters.trackedIps(), "10.0.0.1 idle for 61 s is dropped, 10.0.0.2 (idle 31 s) is kept");
    assertEquals(-1, limiters.ipTokens("10.0.0.1"));
    assertEquals(5, limiters.admit("10.0.0.1", "m").remaining() + 1, "a returning client starts with a full bucket");
  }

  @Test
  void concurrentAdmitsNeverSpendMoreThanTheBucketHolds() throws Exception {
    // Clock frozen: no refill, so exactly the capacity may pass however the threads interleave.
    RateLimiters limiters = new RateLimiters(settings(1000, 600, 1, Map.of("m", 800L)), time);
    java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String ip = "10.0.0." + (t % 2);  // two threads per IP
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 1000; i++) {
          if (limiters.admit(ip, "m").allowed()) {
            ok.incrementAndGet();
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(800, ok.get(), "the model bucket (800) is the binding one: no more, no fewer");
    assertEquals(0, limiters.modelTokens("m"));
    assertEquals(200, limiters.globalTokens(), "global paid only for admitted requests");
    assertEquals(1200 - 800, limiters.ipTokens("10.0.0.0") + limiters.ipTokens("10.0.0.1"),
        "per-IP buckets paid only for admitted requests");
  }
}
