package dev.llmproxy.routing;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.protocol.Endpoint;
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

  /**
   * The alias' routes that can serve a request of the client's {@code endpoint}, in the order to try them: any
   * enabled backend whose protocol, the client's or the other one through translation, has the operation.
   */
  public RoutePlan plan(Snapshot snapshot, Alias alias, Endpoint endpoint) {
    List<Route> usable = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Route route : alias.routes()) {
      Backend backend = snapshot.backends().get(route.backend());
      String key = route.backend() + "/" + route.model();
      String cannot = backend.enabled() ? cannotServe(backend, endpoint) : null;
      if (!backend.enabled()) {
        skipped.add(key + " (backend disabled: " + backend.disabledReason() + ")");
      } else if (cannot != null) {
        skipped.add(key + " (" + cannot + ")");
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

  /**
   * Why {@code backend} cannot serve a request of the client's {@code endpoint}, or null when it can: natively, or
   * through translation (chat completions ⇄ messages), or, for count_tokens on an OpenAI backend, with the
   * proxy's own estimate (docs/translation.md). The Responses API, legacy completions and embeddings have no
   * Anthropic counterpart.
   */
  public static String cannotServe(Backend backend, Endpoint endpoint) {
    if (backend.speaks(endpoint.protocol()) || endpoint.counterpartIn(backend.protocol()) != null
        || endpoint == Endpoint.COUNT_TOKENS) {
      return null;
    }
    String operation = switch (endpoint) {
      case RESPONSES -> "the Responses API is not translated to Anthropic; call this alias through"
          + " /v1/chat/completions or /v1/messages";
      case COMPLETIONS -> "Anthropic has no legacy completions endpoint";
      case EMBEDDINGS -> "Anthropic has no embeddings endpoint";
      default -> endpoint.name().toLowerCase() + " has no " + backend.protocol().id() + " counterpart";
    };
    return "backend speaks " + backend.protocol().id() + ", request is " + endpoint.protocol().id() + "; "
        + operation;
  }
}
