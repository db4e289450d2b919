/**
 * Reading JSON without decoding it: {@link dev.llmproxy.json.JsonScan} walks a document's tokens (a request body by
 * our own validating scan, {@code ObjectScanner}; answers by Jackson's streaming parser; no objects built) to find the few top-level fields the hot path needs, with their byte offsets,
 * so a request's model can be replaced in its bytes and an answer judged or its usage read without a full decode.
 * Imports nothing of ours.
 */
package dev.llmproxy.json;
