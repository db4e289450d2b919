/**
 * {@code java -jar llm-proxy.jar --explore [--data DIR] [--port N]}: the web UI over captured traffic without a
 * gateway (docs/ui.md). Finds the store ({@code DIR/requests.db}, or the config's {@code capture.store}), indexes
 * the dataset's JSONL files into a new SQLite store when there is none yet ({@link dev.llmproxy.explore.DatasetIndex}),
 * and serves {@code /ui/} on loopback.
 */
package dev.llmproxy.explore;
