/**
 * Fallback: the attempt core. {@link dev.llmproxy.fallback.Forward} gives each request an
 * {@link dev.llmproxy.fallback.AttemptPlan} (its candidates in order: the alias' routes, context-length aliases,
 * L2 aliases, the last resort) walked by an {@link dev.llmproxy.fallback.AttemptLoop}: a
 * {@link dev.llmproxy.fallback.RouteLease} per candidate (backend slot and circuit, released once), one
 * {@link dev.llmproxy.fallback.Attempt} (send, judge), {@link dev.llmproxy.fallback.RetryPolicy}, all within a
 * {@link dev.llmproxy.fallback.Budget}. The result is an {@link dev.llmproxy.fallback.Accepted} answer for the
 * relay, or the final error; nothing here writes to the client. Route circuits live in
 * {@link dev.llmproxy.fallback.CooldownRegistry}.
 */
package dev.llmproxy.fallback;
