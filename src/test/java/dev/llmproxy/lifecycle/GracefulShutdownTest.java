package dev.llmproxy.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

  /** Records how the process would have ended, and the order of the shutdown steps. */
  static final class RecordingExit implements GracefulShutdown.Exit {
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    final CompletableFuture<Integer> halted = new CompletableFuture<>();

    @Override
    public void exit(int code) {
      exited.complete(code);
    }

    @Override
    public void halt(int code) {
      halted.complete(code);
    }
  }

  private final Drain drain = new Drain();
  private final RecordingExit exit = new RecordingExit();
  private final List<String> steps = new CopyOnWriteArrayList<>();

  private GracefulShutdown shutdown(Duration timeout) {
    GracefulShutdown s = new GracefulShutdown(drain, () -> timeout,
        () -> {
          steps.add("stop");
          return CompletableFuture.completedFuture(null);
        },
        () -> steps.add("flush"), exit);
    s.beforeExit(() -> steps.add("capture"));
    return s;
  }

  @Test
  void waitsForTheRequestInFlightThenStopsFlushesAndExitsZero() throws Exception {
    assertTrue(drain.tryEnter());
    shutdown(Duration.ofMinutes(1)).onSignal("TERM", 15);
    // The drain runs on its own thread; the request in flight holds the exit back.
    awaitDraining();
    assertFalse(exit.exited.isDone());
    assertFalse(drain.tryEnter(), "no new request while draining");
    drain.exit();
    assertEquals(0, exit.exited.get(5, TimeUnit.SECONDS));
    assertEquals(List.of("capture", "stop", "flush"), steps);
    assertFalse(exit.halted.isDone());
  }

  @Test
  void exitsZeroAfterTheDrainTimeoutWhenARequestNeverEnds() throws Exception {
    assertTrue(drain.tryEnter());
    shutdown(Duration.ofMillis(50)).onSignal("TERM", 15);
    assertEquals(0, exit.exited.get(5, TimeUnit.SECONDS));
    assertEquals(1, drain.inFlight(), "the stuck request was cut, not waited for");
  }

  @Test
  void aSecondSignalHaltsAtOnce() throws Exception {
    assertTrue(drain.tryEnter());
    GracefulShutdown s = shutdown(Duration.ofMinutes(1));
    s.onSignal("TERM", 15);
    s.onSignal("INT", 2);
    assertEquals(130, exit.halted.get(5, TimeUnit.SECONDS));
    assertFalse(exit.exited.isDone());
    drain.exit();  // lets the drain thread finish
    exit.exited.get(5, TimeUnit.SECONDS);
  }

  private void awaitDraining() {
    // The drain thread flips the flag right after its first log line.
    await("drain started").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(drain::draining);
  }

}
