/**
 * Network addresses as the config and the request path see them: IP literals parsed without DNS
 * ({@link dev.llmproxy.net.IpLiteral}) and address ranges ({@link dev.llmproxy.net.IpRange}), for
 * {@code trusted_proxies}, the routing rules' {@code client_ip}, the client IP and the web UI's loopback check;
 * and URLs shown without the credentials they carry ({@link dev.llmproxy.net.Urls}). Pure; imports nothing of
 * ours.
 */
package dev.llmproxy.net;
