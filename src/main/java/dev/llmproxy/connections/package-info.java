/**
 * The clients' connections themselves, below the level of requests: HTTP/1.1 message framing checked before a
 * request is handled (a request with both Content-Length and Transfer-Encoding, or an unusable Transfer-Encoding,
 * is refused and its connection closed, RFC 9112 section 6.1), the connection limits of the {@code server:}
 * section (idle, header and connection-count limits; the body limit is applied where the body is read,
 * {@code ingress.ReadBody}), and JSON answers, in the client's protocol, for what the HTTP codec rejects
 * (414, 431, 400).
 *
 * <p>Vert.x offers no hook for these, so {@link dev.llmproxy.connections.ClientConnections} adds two small Netty
 * handlers to each connection's pipeline and replaces its request decoder with a stricter subclass.
 */
package dev.llmproxy.connections;
