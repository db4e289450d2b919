/**
 * Scale-out: several gateway replicas behind a load balancer sharing their state through one Redis
 * ({@code cluster:}). Owns the Redis connection and the replica's mode ({@link dev.llmproxy.cluster.ClusterMode}:
 * shared through Redis, or per process while Redis is unreachable), and the fleet side of three things other
 * packages own: the token buckets of {@code limits.RateLimiters} (bucket4j's Redis integration), the circuits of
 * {@code fallback.CooldownRegistry} (keys with expiry, pub/sub, one probe by {@code SET NX}), and the per-backend
 * slots of {@code limits.BackendSlots} (expiring leases). Those packages define small {@code Fleet} interfaces and
 * know nothing of Redis; {@link dev.llmproxy.cluster.Cluster} plugs the implementations in. A single process
 * (no {@code cluster:}) never loads anything from here.
 */
package dev.llmproxy.cluster;
