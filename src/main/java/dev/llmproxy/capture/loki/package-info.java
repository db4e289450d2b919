/** Pushing capture records to Grafana Loki: batching, gzip, retries with backoff and jitter, drop and count. */
package dev.llmproxy.capture.loki;
