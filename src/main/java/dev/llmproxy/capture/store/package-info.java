/**
 * The capture store: a queryable index of captured requests in SQLite (embedded, WAL, FTS5) or PostgreSQL
 * (tsvector), with versioned migrations ({@code Migrations}), one writer connection, a read pool, retention,
 * and the questions the query API and {@code --export} ask ({@code StoreQueries}).
 */
package dev.llmproxy.capture.store;
