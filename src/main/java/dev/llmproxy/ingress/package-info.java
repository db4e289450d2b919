/**
 * Ingress: the HTTP surface (routes for both protocols, /v1/models, /health), and the first pipeline stages,
 * which authenticate the client, read its body within the size cap and parse it exactly once.
 */
package dev.llmproxy.ingress;
