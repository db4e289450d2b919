package dev.llmproxy.fallback;

import dev.llmproxy.config.FallbackSettings;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.routing.RoutePlan;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The candidates of one request, in the order they are to be tried: the alias' routes (priority tiers, shuffled
 * within a tier), then, if the prompt was too long for that alias, its {@code fallback.on_context_length} aliases
 * instead of anything else; otherwise its {@code fallback.alias_fallback} aliases (L2), each with its own routes.
 * When every route of the alias and of its L2 aliases is cooling, the plan is the one route whose cooldown ends
 * first (the likeliest to have recovered), tried anyway.
 *
 * <p>Lazy and pure: an alias is resolved (and shuffled) when the walk reaches it, once; nothing here sends,
 * waits or changes shared state. What happens to each candidate (leased, skipped, failed) is the caller's;
 * the only thing the plan is told is that the prompt was too long, which changes where it goes next.
 * Confined to the request's event loop.
 */
final class AttemptPlan {

  private final String alias;
  private final FallbackSettings fallback;
  private final Function<String, RoutePlan> resolver;
  private final CooldownRegistry cooldowns;
  private final Map<String, RoutePlan> resolved = new HashMap<>();
  private final List<String> entered = new ArrayList<>();
  private final Deque<String> ahead = new ArrayDeque<>();
  private final List<String> notes = new ArrayList<>();

  private boolean started;
  private Candidate lastResort;
  private RoutePlan current;
  private int position;
  private boolean tooLongHere;

  /**
   * @param resolver an alias' routes for this request; called at most once per alias
   * @param cooldowns read only, to tell whether every route is cooling
   */
  AttemptPlan(String alias, FallbackSettings fallback, Function<String, RoutePlan> resolver,
      CooldownRegistry cooldowns) {
    this.alias = alias;
    this.fallback = fallback;
    this.resolver = resolver;
    this.cooldowns = cooldowns;
  }

  /** The next candidate, or null when the plan is exhausted. */
  Candidate next() {
    if (!started) {
      started = true;
      ahead.add(alias);
      ahead.addAll(fallback.aliasFallbacksOf(alias));
      lastResort = soonestIfAllCooling();
      if (lastResort != null) {
        notes.add("every route was cooling down; tried " + lastResort.key() + ", whose cooldown ends first");
        return lastResort;
      }
    }
    if (lastResort != null) {
      return null;
    }
    while (current == null || position >= current.candidates().size()) {
      if (current != null && tooLongHere) {
        // The prompt is too long for these models: only the aliases meant for long prompts can help.
        ahead.clear();
        fallback.contextLengthFallbacksOf(alias).stream().filter(a -> !entered.contains(a)).forEach(ahead::add);
      }
      if (ahead.isEmpty()) {
        return null;
      }
      enter(ahead.poll());
    }
    return current.candidates().get(position++);
  }

  /** The candidates after the last one {@link #next} returned, in its alias, not yet returned. */
  List<Candidate> restOfAlias() {
    return lastResort != null || current == null
        ? List.of()
        : current.candidates().subList(position, current.candidates().size());
  }

  /** Passes over the next {@code count} candidates of {@link #restOfAlias} (they were dealt with elsewhere). */
  void skip(int count) {
    position += Math.min(count, restOfAlias().size());
  }

  /** The last candidate said the prompt is too long: once its alias is exhausted, go to the long-prompt aliases. */
  void contextLengthExceeded() {
    tooLongHere = true;
  }

  /** Whether the last candidate is the last resort (every route cooling): it is probed regardless of its circuit. */
  boolean isLastResort() {
    return lastResort != null;
  }

  /** What the plan left out, and why, since last asked: routes the resolver skipped, the last-resort choice. */
  List<String> takeNotes() {
    List<String> taken = List.copyOf(notes);
    notes.clear();
    return taken;
  }

  private void enter(String name) {
    entered.add(name);
    current = plan(name);
    position = 0;
    tooLongHere = false;
    notes.addAll(current.skipped());
  }

  private RoutePlan plan(String name) {
    return resolved.computeIfAbsent(name, resolver);
  }

  /** The usual case returns at the first route of the alias that is not cooling: L2 aliases are not resolved. */
  private Candidate soonestIfAllCooling() {
    Candidate soonest = null;
    Duration soonestLeft = null;
    for (String name : ahead) {
      for (Candidate c : plan(name).candidates()) {
        if (!cooldowns.isCooling(c.key())) {
          return null;
        }
        Duration left = cooldowns.remaining(c.key());
        if (soonest == null || left.compareTo(soonestLeft) < 0) {
          soonest = c;
          soonestLeft = left;
        }
      }
    }
    return soonest;
  }
}
