/**
 * The capture query API ({@code requests}, {@code requests/{id}}, {@code sessions}, {@code stats}; shapes in
 * docs/capture.md) and the query parameters its lists read: under {@code /admin} behind the proxy key, and under
 * {@code /ui/api} behind the web UI's door, one implementation for both.
 */
package dev.llmproxy.capture.api;
