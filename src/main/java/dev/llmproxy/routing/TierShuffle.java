package dev.llmproxy.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Orders items by priority tier (ascending), and randomly within a tier with probability proportional to weight.
 * Within a tier this is weighted sampling without replacement (Efraimidis–Spirakis: sort by {@code u^(1/w)}
 * descending), so the first pick follows the weights exactly and later picks stay in proportion.
 */
final class TierShuffle {

  private TierShuffle() {}

  public static <T> List<T> order(
      List<T> items, ToIntFunction<T> priority, ToIntFunction<T> weight, RandomGenerator random) {
    record Keyed<T>(T item, int priority, double key) {}
    List<Keyed<T>> keyed = new ArrayList<>(items.size());
    for (T item : items) {
      double u = random.nextDouble();
      // u in [0,1); log(u)/w is monotonic in u^(1/w) and avoids underflow for large weights.
      double key = u == 0 ? Double.NEGATIVE_INFINITY : Math.log(u) / weight.applyAsInt(item);
      keyed.add(new Keyed<>(item, priority.applyAsInt(item), key));
    }
    keyed.sort(Comparator.<Keyed<T>>comparingInt(Keyed::priority)
        .thenComparing(Comparator.<Keyed<T>>comparingDouble(Keyed::key).reversed()));
    List<T> out = new ArrayList<>(keyed.size());
    keyed.forEach(k -> out.add(k.item()));
    return out;
  }
}
