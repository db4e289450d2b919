package dev.llmproxy.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One request's lifetime: when it started, its deadline, and one cancellation signal that fires when the client
 * goes away (or when the proxy already answered the request because its own code threw: then too nobody waits
 * for the rest). Every time read on the request path goes through the injected {@link Clock}, so deadline and
 * idle rules run on virtual time in tests; Vert.x timers still fire in real time and only wake code that then
 * reads the clock.
 *
 * <p>Whoever holds something that must stop when the client leaves (a queue place, an upstream call, a stream)
 * listens on {@link #cancelled()}. Listeners are never removed: each one must be harmless once its work is over
 * (releasing a released exchange, cancelling a granted ticket), which is what makes a single signal enough.
 */
public final class RequestScope {

  private final Clock clock;
  private final Instant started;
  private final Instant deadline;
  private final Promise<Void> cancelled = Promise.promise();

  /** @param budget how long the whole request may take (fallback.total_timeout or timeout.total) */
  public RequestScope(Clock clock, Duration budget) {
    this.clock = clock;
    this.started = clock.instant();
    this.deadline = started.plus(budget);
  }

  public Clock clock() {
    return clock;
  }

  public Instant started() {
    return started;
  }

  /** Time since the request arrived. */
  public Duration elapsed() {
    return Duration.between(started, clock.instant());
  }

  /** Time left before the deadline; zero once it has passed. */
  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  public boolean expired() {
    return remaining().isZero();
  }

  /** Completes (never fails) when the client has gone away before its response ended. */
  public Future<Void> cancelled() {
    return cancelled.future();
  }

  public boolean isCancelled() {
    return cancelled.future().isComplete();
  }

  /** The client went away, or the request was answered early (a bug). Idempotent. */
  public void cancel() {
    cancelled.tryComplete();
  }
}
