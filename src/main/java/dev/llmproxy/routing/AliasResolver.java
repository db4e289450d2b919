package dev.llmproxy.routing;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.protocol.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Builds the {@link RoutePlan} of an alias for one request. Stateless apart from the random source. */
public final class AliasResolver {

  private final Supplier<RandomGenerator> random;

  /** @param random called once per plan; {@code ThreadLocalRandom::current} in production, seeded in tests */
  public AliasResolver(Supplier<RandomGenerator> random) {
    this.random = random;
  }

  public RoutePlan plan(Snapshot snapshot, Alias alias, Protocol clientProtocol) {
    List<Route> usable = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Route route : alias.routes()) {
      Backend backend = snapshot.backends().get(route.backend());
      String key = route.backend() + "/" + route.model();
      if (!backend.enabled()) {
        skipped.add(key + " (backend disabled: " + backend.disabledReason() + ")");
      } else if (!backend.speaks(clientProtocol)) {
        skipped.add(key + " (backend speaks " + backend.protocol().id() + ", request is "
            + clientProtocol.id() + "; protocol translation is not supported)");
      } else {
        usable.add(route);
      }
    }
    List<Candidate> candidates = new ArrayList<>();
    for (Route route : TierShuffle.order(usable, Route::priority, Route::weight, random.get())) {
      candidates.add(new Candidate(alias.name(), snapshot.backends().get(route.backend()), route));
    }
    return new RoutePlan(alias.name(), candidates, skipped);
  }
}
