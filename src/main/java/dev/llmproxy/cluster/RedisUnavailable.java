package dev.llmproxy.cluster;

/** A Redis call that was not made (the replica is in local mode) or did not answer within the timeout. */
final class RedisUnavailable extends RuntimeException {

  RedisUnavailable(String message) {
    super(message, null, false, false);
  }
}
