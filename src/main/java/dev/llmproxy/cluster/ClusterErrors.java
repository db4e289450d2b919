package dev.llmproxy.cluster;

import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import java.util.Map;

/** The errors the cluster layer answers with. */
final class ClusterErrors {

  private ClusterErrors() {}

  /** {@code on_unavailable: reject} while Redis cannot be reached. */
  static ApiError sharedStateUnavailable() {
    return ApiError.of(ErrorKind.UNAVAILABLE, "The gateway's shared limits are unavailable (Redis cannot be"
        + " reached) and cluster.redis.on_unavailable is reject, so no request is let through unchecked."
        + " Retry later.").withHeaders(Map.of("Retry-After", "1"));
  }
}
