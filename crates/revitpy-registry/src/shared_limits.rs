//! Rate-limit buckets kept in Redis (`REDIS_URL`), so that replicas behind
//! one load balancer limit a client together: 30 uploads a minute means 30
//! across all of them, not 30 on each.
//!
//! The same token buckets as [`crate::ratelimit`], one Redis hash per
//! (class, key), changed by one Lua script that reads every key a request
//! is limited by and takes a token from each only when all have one: atomic
//! across replicas, and timed by Redis's clock, not the replicas' (which
//! may disagree). Each hash expires once it would have refilled, so Redis
//! holds only the clients seen within a period.
//!
//! When Redis does not answer (within [`REDIS_TIMEOUT`]) the replica limits
//! alone, as without `REDIS_URL`, and says so in its log at most once a
//! minute: a registry should not stop serving because its limiter's store did.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// How long a request waits for Redis before it is limited locally.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// Tokens in each bucket named by KEYS, refilled at ARGV[2] a millisecond
/// up to ARGV[1]; takes one from each if all have one (returns 0), else
/// takes nothing and returns the milliseconds until they would.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local wait = 0
local current = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(v[1]) or cap
  local at = tonumber(v[2]) or now
  tokens = math.min(cap, tokens + math.max(0, now - at) * rate)
  if tokens < 1 then
    wait = math.max(wait, math.ceil((1 - tokens) / rate))
  end
  current[i] = tokens
end
if wait > 0 then
  return wait
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(current[i] - 1), 'at', now)
  redis.call('PEXPIRE', key, ttl)
end
return 0
";

pub struct SharedLimits {
    conn: ConnectionManager,
    prefix: String,
    script: redis::Script,
    /// When the last "Redis did not answer" was logged.
    warned: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for SharedLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLimits").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

impl SharedLimits {
    /// Connects (within 5 s) to the Redis at `url`; keys start with `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("REDIS_URL is not a Redis URL: {e}"))?;
        let conn = tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new(client))
            .await
            .map_err(|_| "Redis cannot be reached (no answer within 5 s)".to_owned())?
            .map_err(|e| format!("Redis cannot be reached: {e}"))?;
        Ok(Self { conn, prefix: prefix.to_owned(), script: redis::Script::new(TAKE), warned: Mutex::new(None) })
    }

    /// Takes a request from each of `keys`' buckets of `class`, which hold
    /// `count` requests and refill them every `period`: `Ok(None)` when
    /// taken, `Ok(Some(wait))` when refused, `Err` when Redis failed (the
    /// caller limits locally).
    pub async fn take(
        &self,
        class: &str,
        keys: &[String],
        count: u32,
        period: Duration,
    ) -> Result<Option<Duration>, String> {
        let period_ms = period.as_millis().max(1) as f64;
        let per_ms = f64::from(count) / period_ms;
        // One hash tag for every key: a request's keys are in one slot, so
        // the script also runs on a Redis Cluster.
        let keys: Vec<String> = keys.iter().map(|k| format!("{}{{rl}}:{class}:{k}", self.prefix)).collect();
        let mut invocation = self.script.prepare_invoke();
        for key in &keys {
            invocation.key(key);
        }
        invocation.arg(count).arg(per_ms).arg(period_ms as u64 + 1000);
        let mut conn = self.conn.clone();
        let wait_ms: u64 = tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut conn))
            .await
            .map_err(|_| format!("Redis did not answer within {} ms", REDIS_TIMEOUT.as_millis()))?
            .map_err(|e| e.to_string())?;
        Ok((wait_ms > 0).then(|| Duration::from_millis(wait_ms)))
    }

    /// Logs that Redis failed, at most once a minute.
    pub fn warn(&self, error: &str) {
        let mut warned = self.warned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if warned.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
            tracing::warn!(error, "rate limits: Redis failed; this replica limits alone until it answers again");
            *warned = Some(Instant::now());
        }
    }
}
