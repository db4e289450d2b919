/**
 * AWS Bedrock backends ({@code type: bedrock}): SigV4 signing with the AWS SDK for Java v2 signer and credential
 * providers ({@link dev.llmproxy.bedrock.BedrockSigner}) as a step of the upstream call
 * ({@link dev.llmproxy.bedrock.BedrockWire}, which also knows the call paths), the Anthropic-on-Bedrock request
 * body ({@link dev.llmproxy.bedrock.BedrockBody}, the route's {@code PrepareBody}), the binary AWS eventstream
 * decoded with the SDK's CRC-checked codec ({@link dev.llmproxy.bedrock.EventStreamDecoder}) — into server-sent
 * events for an alias route, or as a read-only copy for the relay's observers (usage, metrics) while Claude
 * Code's Bedrock mode gets the frames unchanged — and the {@code /model/{id}/invoke…} and
 * {@code /health/bedrock} endpoints ({@link dev.llmproxy.bedrock.BedrockRoutes}).
 */
package dev.llmproxy.bedrock;
