package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UiParamsTest {

  @Test
  void aChartGetsTheNarrowestBucketThatKeepsItWithin120Points() {
    assertEquals(Duration.ofSeconds(10), UiParams.bucketFor(Duration.ofMinutes(15)));
    assertEquals(Duration.ofSeconds(30), UiParams.bucketFor(Duration.ofHours(1)));
    assertEquals(Duration.ofMinutes(5), UiParams.bucketFor(Duration.ofHours(6)));
    assertEquals(Duration.ofMinutes(15), UiParams.bucketFor(Duration.ofHours(24)));
    assertEquals(Duration.ofHours(2), UiParams.bucketFor(Duration.ofDays(7)));
    assertEquals(Duration.ofSeconds(1), UiParams.bucketFor(Duration.ofSeconds(3)));
    assertEquals(Duration.ofDays(7), UiParams.bucketFor(Duration.ofDays(400)), "never more than the widest");
  }
}
