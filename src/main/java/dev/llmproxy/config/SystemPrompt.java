package dev.llmproxy.config;

/**
 * The system prompt of one alias, read when the snapshot was compiled, so a request keeps the text it started
 * with even if the file changes meanwhile.
 *
 * @param source where the text came from, for operators: the file path, or {@code models["x"].system_prompt}
 */
public record SystemPrompt(String text, PromptMode mode, String source) {}
