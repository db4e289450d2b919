/**
 * Traffic control: everything the gateway knows about how much it lets through. Token buckets (bucket4j) for
 * the global, per-client-IP and per-model request rates; a bounded FIFO gate for requests in flight upstream;
 * per-backend in-flight counters; and the two pipeline stages that apply them. The state lives in
 * {@link dev.llmproxy.limits.TrafficControl}, shared by every event loop and kept across config reloads.
 */
package dev.llmproxy.limits;
