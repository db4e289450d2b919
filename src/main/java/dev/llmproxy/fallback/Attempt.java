package dev.llmproxy.fallback;

import dev.llmproxy.detection.Verdict;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;

/**
 * One try of one candidate: send the body, then judge the answer before anything reaches the client. A backend
 * failure is a judged failure, never a failed future; the future fails only when the client went away or the
 * proxy itself failed: its own code threw (a bug, answered 500), or the failure is an {@code ApiError} to answer
 * as is (the built-in echo backend's own fault). Neither is ever held against the route.
 */
interface Attempt {

  /**
   * @param verdict accepted (a success, or an error that is the client's to see) or failed with a class
   * @param status the HTTP status, 0 when no answer arrived
   * @param answer the answer to relay when accepted; the provider's answer for a context-length failure; else null
   */
  record Judged(Verdict verdict, int status, Accepted.Answer answer) {}

  /** @param remaining the request's time left, which caps every timeout of this try */
  Future<Judged> run(Candidate route, Buffer body, Duration remaining);

  /** How an attempt (or the walk) ends when the client went away: nothing is left to answer. */
  static <T> Future<T> clientGone() {
    return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "client disconnected"));
  }
}
