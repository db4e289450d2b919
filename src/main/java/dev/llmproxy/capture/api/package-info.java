/**
 * The capture query API under {@code /admin} ({@code /admin/requests}, {@code /admin/requests/{id}},
 * {@code /admin/sessions}, {@code /admin/stats}), behind the proxy key; shapes in docs/capture.md.
 */
package dev.llmproxy.capture.api;
