/**
 * Fallback: the attempt core. {@link dev.llmproxy.fallback.Forward} gives each request an
 * {@link dev.llmproxy.fallback.AttemptPlan} (its candidates in order: the alias' routes, context-length aliases,
 * L2 aliases, the last resort) walked by an {@link dev.llmproxy.fallback.AttemptLoop}: a
 * {@link dev.llmproxy.fallback.RouteLease} per candidate (backend slot and circuit, released once), one
 * {@link dev.llmproxy.fallback.Attempt} (send, judge), {@link dev.llmproxy.fallback.RetryPolicy}, all within a
 * {@link dev.llmproxy.fallback.Budget}. The result is an {@link dev.llmproxy.fallback.Accepted} answer for the
 * relay, or the final error; nothing here writes to the client. Route circuits live in
 * {@link dev.llmproxy.fallback.CooldownRegistry}. The seams a route's needs enter by:
 * {@link dev.llmproxy.fallback.PrepareBody} (the body it receives, or {@link dev.llmproxy.fallback.UnservableRequest}
 * when it cannot take the request), {@link dev.llmproxy.fallback.LocalAnswer} (an answer without a call), and
 * {@link dev.llmproxy.fallback.DemotedStream} (a stream read whole for a client that wants one JSON answer).
 */
package dev.llmproxy.fallback;
