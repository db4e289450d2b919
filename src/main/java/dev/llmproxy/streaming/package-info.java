/**
 * Relaying responses to the client. Server-sent events are split into events whose original bytes are forwarded
 * verbatim (never re-encoded), flushed as they complete, with backpressure in both directions. A stream is first
 * peeked until its first content event so a failing backend can still be replaced before the client sees a byte.
 */
package dev.llmproxy.streaming;
