/**
 * The operator endpoints, behind the proxy key: {@code GET /admin/config} (the active config, secrets masked,
 * and the last reload) and {@code POST /admin/reload} (reload now); and the rule of who may use {@code /admin}
 * ({@link dev.llmproxy.admin.AdminApi#admits}), which the capture query API under {@code /admin} follows too.
 */
package dev.llmproxy.admin;
