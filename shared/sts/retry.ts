// How long to wait before retrying a failed STS call: exponential backoff with full jitter, so
// instances that failed together do not come back together.

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const STS_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

/** Ms to wait after failed attempt `n` (1-based): at most 100, then 200, ... up to 1 s. */
export function backoffMs(n: number, policy: RetryPolicy = STS_RETRY): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
}
