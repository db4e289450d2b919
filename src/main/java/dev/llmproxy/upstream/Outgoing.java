package dev.llmproxy.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** A request about to go to a backend, as it will be on the wire: what a {@link BackendWire} may rewrite or sign. */
public record Outgoing(HttpMethod method, String uri, MultiMap headers, Buffer body) {

  public Outgoing withUri(String newUri) {
    return new Outgoing(method, newUri, headers, body);
  }
}
