/**
 * Talking to backends: building the upstream request (real model, backend credentials, forwarded headers),
 * sending it on the shared pooled client with connect and response-header timeouts (a body of parts part by part,
 * {@code BodyWrites}), and handing back a paused
 * {@link dev.llmproxy.upstream.UpstreamExchange} so nothing reaches the client before the response is judged.
 */
package dev.llmproxy.upstream;
