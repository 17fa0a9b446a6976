// Bounded retry with exponential backoff and full jitter, so instances that failed together do not
// come back together.

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const STS_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `attempt` until it succeeds, `retryable` says no, or the attempts run out; the last error is thrown. */
export async function withRetry<T>(attempt: () => Promise<T>, retryable: (err: unknown) => boolean, policy: RetryPolicy = STS_RETRY): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= policy.attempts || !retryable(err)) throw err;
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1)));
    }
  }
}
