/**
 * Reading JSON without decoding it: {@link dev.llmproxy.json.JsonScan} finds the few top-level fields the hot path
 * needs, with their byte offsets, so a request's model can be replaced in its bytes and an answer judged or its
 * usage read without a full decode. A request body is checked by a validating scan of our own (ObjectScanner: what
 * Jackson's default parser accepts, strings crossed a word at a time by ByteWords); an answer's fields are read with
 * Jackson's streaming parser, which stops as soon as it has them. {@link dev.llmproxy.json.TokenValues} answers
 * questions about the value a token scan stands on. Imports nothing of ours.
 */
package dev.llmproxy.json;
