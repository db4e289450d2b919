/**
 * Routing: turns the alias a client asked for into an ordered {@link dev.llmproxy.routing.RoutePlan} of
 * candidates (priority tiers, weighted random order within a tier), naming every route it skipped and why. A
 * route of either protocol serves a request whose operation its protocol has (natively or through translation);
 * {@link dev.llmproxy.routing.Candidate#call} is the operation it is called with.
 */
package dev.llmproxy.routing;
