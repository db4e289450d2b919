package dev.llmproxy.fallback;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link CooldownRegistry.Fleet} that records what the registry tells the fleet ({@code "opened a/m 1"},
 * {@code "closed a/m"}, {@code "claim a/m"}, {@code "released a/m"}) and grants the probe as the test says.
 */
final class RecordingCircuitFleet implements CooldownRegistry.Fleet {

  final List<String> told = new CopyOnWriteArrayList<>();
  volatile boolean winsProbe = true;

  @Override
  public void opened(String route, CooldownRegistry.State state) {
    told.add("opened " + route + " " + state.failures());
  }

  @Override
  public void closed(String route) {
    told.add("closed " + route);
  }

  @Override
  public Future<Boolean> claimProbe(String route) {
    told.add("claim " + route);
    return Future.succeededFuture(winsProbe);
  }

  @Override
  public void probeReleased(String route) {
    told.add("released " + route);
  }

  @Override
  public Duration probeLease() {
    return Duration.ofSeconds(30);
  }
}
