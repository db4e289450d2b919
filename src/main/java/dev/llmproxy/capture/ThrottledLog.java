package dev.llmproxy.capture;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * At most one line per topic per minute: a full queue, a full disk or an unreachable store would otherwise
 * write a line per request. The lines say how many occurrences they stand for.
 */
final class ThrottledLog {

  static final Duration INTERVAL = Duration.ofMinutes(1);

  private final Logger log;
  private final Clock clock;
  private final Map<String, long[]> topics = new ConcurrentHashMap<>();  // {last logged millis, suppressed}

  ThrottledLog(Logger log, Clock clock) {
    this.log = log;
    this.clock = clock;
  }

  /** Logs a warning about {@code topic} unless one was logged less than a minute ago. @return whether it logged */
  boolean warn(String topic, String message, Object... args) {
    long now = clock.millis();
    long[] state = topics.computeIfAbsent(topic, t -> new long[] {Long.MIN_VALUE, 0});
    long suppressed;
    synchronized (state) {
      if (state[0] != Long.MIN_VALUE && now - state[0] < INTERVAL.toMillis()) {
        state[1]++;
        return false;
      }
      state[0] = now;
      suppressed = state[1];
      state[1] = 0;
    }
    String suffix = suppressed > 0 ? " (" + suppressed + " more since the last such line)" : "";
    log.warn(message + suffix, args);
    return true;
  }

  /** Forgets {@code topic}, so the next problem of that kind is logged at once. @return whether it was active */
  boolean clear(String topic) {
    return topics.remove(topic) != null;
  }
}
