// Back-pressure in front of STS. STS allows AssumeRole 100 times a second per account and region
// (RAM's published quota, every RAM user and role of the account counted) and answers Throttling
// past it. Every AssumeRole attempt therefore waits for a token from a bucket refilled at
// STS_RATE_LIMIT a second, in a queue served in arrival order (a retry keeps its place), and a
// caller whose turn would come after its deadline is told at once to come back later instead of
// waiting in vain. Callers whose cached credentials still serve never reach the gate.
//
// The bucket holds one token: calls are paced, never bunched, so no second ever sees more than the
// rate and one, and the callers a throttled call was ahead of stay behind it when it retries.

/** A Throttling answer holds every call back this long: STS counts its quota per second. */
export const THROTTLE_PAUSE_MS = 250;

/** A token bucket: `take` spends a token and answers 0, or answers the ms until one is due. */
export interface RateBucket {
  take(): Promise<number>;
  /** STS throttled: hold the next token back for THROTTLE_PAUSE_MS. */
  throttled(): void;
}

/** One instance's bucket: `ratePerSecond` tokens a second, one at a time. */
export class LocalBucket implements RateBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = 1;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(1, this.tokens + ((t - this.at) * this.ratePerSecond) / 1000);
    this.at = t;
  }

  takeNow(): number {
    this.refill();
    // Within a hair of a whole token counts as one: floating-point dust must neither add a ms nor make a wait of 0.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond - 1e-9));
  }

  take(): Promise<number> {
    return Promise.resolve(this.takeNow());
  }

  throttled(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0) - (this.ratePerSecond * THROTTLE_PAUSE_MS) / 1000;
  }
}

/** The caller's turn would come after its deadline: answer 503 with Retry-After `retryAfterSeconds`. */
export class QueueRefused extends Error {
  override name = 'QueueRefused';
  constructor(readonly retryAfterSeconds: number) {
    super('the STS queue is longer than the caller can wait');
  }
}

interface Waiter {
  order: number;
  admit: () => void;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class StsGate {
  private readonly queue: Waiter[] = [];
  private pumping = false;

  constructor(
    private readonly bucket: RateBucket,
    readonly ratePerSecond: number,
  ) {}

  /** Callers waiting for their turn now. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the caller may make one AssumeRole attempt. `order` ranks callers by arrival (a
   * retry passes its first attempt's order and goes before later arrivals); `deadline` (ms since the
   * epoch) is the latest it may be let through. Rejects with QueueRefused, at once when the callers
   * ahead of it already fill the time it has, else when its deadline passes while it waits.
   */
  admit(order: number, deadline: number): Promise<void> {
    const ahead = this.queue.filter((w) => w.order <= order).length;
    const refused = () => new QueueRefused(Math.max(1, Math.ceil((ahead + 1) / this.ratePerSecond)));
    if (Date.now() + (ahead * 1000) / this.ratePerSecond > deadline) return Promise.reject(refused());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        order,
        admit: resolve,
        timer: setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(refused());
        }, Math.max(0, deadline - Date.now())),
      };
      this.queue.splice(ahead, 0, waiter);
      void this.pump();
    });
  }

  /** STS answered Throttling: every caller waits THROTTLE_PAUSE_MS more. */
  throttled(): void {
    this.bucket.throttled();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const wait = await this.bucket.take();
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        // The head may have given up while the token was being taken; the token goes to the next.
        const head = this.queue.shift();
        if (head) {
          clearTimeout(head.timer);
          head.admit();
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
