/**
 * Demotion: a client that asked for one JSON answer is served from a stream the proxy requested instead
 * ({@code demote_nonstreaming}), so a long answer never waits on a response-header timeout. This package turns
 * the request into its streaming form and reassembles the provider's events into the exact non-stream body of
 * the same protocol (for the Responses API, its response object; capture reassembles streams with the same
 * {@link dev.llmproxy.demotion.StreamAssembler}). Pure; translation to the client's protocol, if the route needs
 * it, happens after.
 */
package dev.llmproxy.demotion;
