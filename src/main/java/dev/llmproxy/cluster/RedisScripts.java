package dev.llmproxy.cluster;

/**
 * The Lua scripts the fleet runs in Redis, each one atomic there. Times are Unix milliseconds from the calling
 * replica's clock (the gateway's injected {@code Clock}); replicas are expected to keep their clocks in sync
 * (NTP) to well within {@code cluster.lease_ttl}.
 */
final class RedisScripts {

  private RedisScripts() {}

  /**
   * Open a circuit: KEYS = cooldown key, probe key; ARGV = "failures untilMillis", key ttl ms, channel, message,
   * replica id. Keeps the later end if another replica already stored one; ends this replica's probe lease;
   * tells the fleet.
   */
  static final String OPEN = """
      local current = redis.call('GET', KEYS[1])
      local keep = false
      if current then
        local stored_end = tonumber(string.match(current, ' (%d+)$'))
        local wanted_end = tonumber(string.match(ARGV[1], ' (%d+)$'))
        keep = stored_end ~= nil and wanted_end ~= nil and stored_end >= wanted_end
      end
      if not keep then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      end
      if redis.call('GET', KEYS[2]) == ARGV[5] then
        redis.call('DEL', KEYS[2])
      end
      redis.call('PUBLISH', ARGV[3], ARGV[4])
      return 1
      """;

  /** Close a circuit: KEYS = cooldown key, probe key; ARGV = channel, message. */
  static final String CLOSE = """
      redis.call('DEL', KEYS[1], KEYS[2])
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return 1
      """;

  /** Give up a probe lease this replica holds (ARGV[1]) and tell the fleet: ARGV = owner, channel, message. */
  static final String RELEASE_PROBE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
      end
      return 0
      """;

  /** Extend a key's life to ARGV[2] ms only if it holds ARGV[1]. */
  static final String RENEW_IF_OWNER = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 0
      """;

  /**
   * Take a backend slot if the fleet holds fewer than the limit: KEYS = the backend's lease set (member = lease
   * id, score = expiry); ARGV = now, expiry, lease id, limit, set ttl ms. Expired leases (dead replicas) are
   * dropped first, so a slot can never leak for longer than a lease lives.
   */
  static final String ACQUIRE_SLOT = """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
      if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
      end
      return 0
      """;

  /** Count a slot without asking: KEYS = lease set; ARGV = expiry, lease id, set ttl ms. */
  static final String REGISTER_SLOT = """
      redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """;

  /**
   * Give a slot back: KEYS = lease set; ARGV = lease id, channel, message, limit. Tells the fleet only when the
   * backend was at its limit (limit 0: always), since only then can anyone be waiting.
   */
  static final String RELEASE_SLOT = """
      if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
        local limit = tonumber(ARGV[4])
        if limit == 0 or redis.call('ZCARD', KEYS[1]) + 1 >= limit then
          redis.call('PUBLISH', ARGV[2], ARGV[3])
        end
        return 1
      end
      return 0
      """;

  /** Extend leases still held: KEYS = lease set; ARGV = expiry, set ttl ms, lease ids... (never re-adds one). */
  static final String RENEW_SLOTS = """
      for i = 3, #ARGV do
        redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
      """;
}
