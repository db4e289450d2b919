/**
 * Routing rules ({@code routing_rules:}): ordered conditions on who is asking and what (system prompt, headers,
 * client IP, client key name, requested model), each naming the model alias to use instead. Pure values and
 * matching, no I/O; the config compiles them, the {@code routing-rules} pipeline stage applies the first match.
 */
package dev.llmproxy.rules;
