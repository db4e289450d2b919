package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parsesUnitsAndBareSeconds() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
    assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals(Duration.ofSeconds(30), Durations.parse(30));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
    assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("10 parsecs"));
  }
}
