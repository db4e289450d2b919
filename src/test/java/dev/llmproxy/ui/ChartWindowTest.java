package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChartWindowTest {

  @Test
  void aChartGetsTheNarrowestBucketThatKeepsItWithin120Points() {
    assertEquals(Duration.ofSeconds(10), ChartWindow.bucketFor(Duration.ofMinutes(15)));
    assertEquals(Duration.ofSeconds(30), ChartWindow.bucketFor(Duration.ofHours(1)));
    assertEquals(Duration.ofMinutes(5), ChartWindow.bucketFor(Duration.ofHours(6)));
    assertEquals(Duration.ofMinutes(15), ChartWindow.bucketFor(Duration.ofHours(24)));
    assertEquals(Duration.ofHours(2), ChartWindow.bucketFor(Duration.ofDays(7)));
    assertEquals(Duration.ofSeconds(1), ChartWindow.bucketFor(Duration.ofSeconds(3)));
    assertEquals(Duration.ofDays(7), ChartWindow.bucketFor(Duration.ofDays(400)), "never more than the widest");
  }
}
