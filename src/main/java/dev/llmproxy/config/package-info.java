/**
 * Configuration: YAML file to raw tree ({@link dev.llmproxy.config.ConfigLoader}: duplicate keys and syntax errors
 * refused with their position by {@code StrictYaml}, then vertx-config-yaml's processor), raw tree to an immutable,
 * fully validated {@link dev.llmproxy.config.Snapshot} ({@link dev.llmproxy.config.ConfigCompiler}), and the
 * {@link dev.llmproxy.config.SnapshotHolder} that swaps snapshots atomically. Nothing outside this package
 * reads YAML; everything else reads a snapshot.
 */
package dev.llmproxy.config;
