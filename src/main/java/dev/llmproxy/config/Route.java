package dev.llmproxy.config;

/** One way to serve an alias: a backend, the real model name it knows, a priority tier and a weight in it. */
public record Route(String backend, String model, int priority, int weight) {}
