/**
 * Fallback: walks a request's route plan, sends each attempt, judges the answer, and moves on to the next
 * candidate until one is accepted or the plan (or the time budget) is exhausted.
 */
package dev.llmproxy.fallback;
