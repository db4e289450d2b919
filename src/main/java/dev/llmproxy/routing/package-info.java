/**
 * Routing: turns the alias a client asked for into an ordered {@link dev.llmproxy.routing.RoutePlan} of
 * candidates (priority tiers, weighted random order within a tier), naming every route it skipped and why.
 */
package dev.llmproxy.routing;
