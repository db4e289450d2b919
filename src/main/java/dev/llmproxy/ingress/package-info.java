/**
 * Ingress: the HTTP surface (routes for both protocols, /v1/models, /health), and the first pipeline stages,
 * which authenticate the client (naming the key it used), read its body within the size cap, parse it exactly
 * once, apply the routing rules ({@code routing_rules:}) and look up the model alias — or mark the request for the
 * transparent mode's passthrough when the model is no alias.
 */
package dev.llmproxy.ingress;
