/**
 * The built-in local echo backend ({@code type: echo}): a loopback HTTP server that answers every endpoint of
 * both protocols (the OpenAI Responses API included) in the providers' shapes, streaming included, by echoing the
 * last user message. It lets a newcomer send a first request with no provider key and no network. It is not a
 * model.
 */
package dev.llmproxy.echo;
