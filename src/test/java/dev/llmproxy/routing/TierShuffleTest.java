package dev.llmproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TierShuffleTest {

  record Item(String name, int priority, int weight) {}

  @Test
  void lowerPriorityTiersAlwaysComeFirst() {
    List<Item> items = List.of(new Item("p2a", 2, 1), new Item("p1a", 1, 1), new Item("p3", 3, 100), new Item("p1b", 1, 1),
        new Item("p2b", 2, 1));
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200; i++) {
      List<Item> order = TierShuffle.order(items, Item::priority, Item::weight, random);
      assertEquals(List.of(1, 1, 2, 2, 3), order.stream().map(Item::priority).toList());
    }
  }

  @Test
  void firstPickWithinATierFollowsTheWeights() {
    List<Item> items = List.of(new Item("a", 1, 1), new Item("b", 1, 3));
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Integer> first = new HashMap<>();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      first.merge(TierShuffle.order(items, Item::priority, Item::weight, random).get(0).name(), 1, Integer::sum);
    }
    double shareB = first.get("b") / (double) n;
    assertTrue(Math.abs(shareB - 0.75) < 0.02, "b should be first ~75% of the time, was " + shareB);
  }

  @Test
  void equalWeightsSpreadEvenlyOverEveryPosition() {
    List<Item> items = List.of(new Item("a", 1, 1), new Item("b", 1, 1), new Item("c", 1, 1));
    SplittableRandom random = new SplittableRandom(1);
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      first.merge(TierShuffle.order(items, Item::priority, Item::weight, random).get(0).name(), 1, Integer::sum);
    }
    first.values().forEach(c -> assertTrue(Math.abs(c - 10_000) < 500, first.toString()));
  }
}
