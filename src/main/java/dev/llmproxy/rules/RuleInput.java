package dev.llmproxy.rules;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a rule can look at, for one request.
 *
 * @param systemPrompt the request's system prompt text, computed only if a rule asks for it
 * @param header a header's value by (case-insensitive) name, or null
 * @param clientKey the name of the client key the request presented, or null (no keys configured)
 * @param model the model the client asked for
 */
public record RuleInput(
    Supplier<String> systemPrompt, Function<String, String> header, String clientIp, String clientKey,
    String model) {}
