/**
 * The operator endpoints, behind the proxy key: {@code GET /admin/config} (the active config, secrets masked,
 * and the last reload) and {@code POST /admin/reload} (reload now).
 */
package dev.llmproxy.admin;
