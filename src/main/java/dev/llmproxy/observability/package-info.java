/** Observability: trace ids, the access log line, log field names. */
package dev.llmproxy.observability;
