import { ChainError } from '../errors.js';

/** How often and how patiently a call is retried while the node is unreachable. */
export interface RetryPolicy {
  /** Attempts after the first (default 2). */
  readonly retries: number;
  /** Wait before the first retry, doubled each time (default 200 ms). */
  readonly delayMs: number;
}

/** Default policy: three attempts within about 600 ms of waiting. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 2, delayMs: 200 };

/**
 * Runs `attempt`, retrying only on `NODE_UNREACHABLE` (the call may not have reached the node;
 * every call retried this way is idempotent or, like a broadcast, harmless to repeat).
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  let delay = policy.delayMs;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error: unknown) {
      const retryable = error instanceof ChainError && error.code === 'NODE_UNREACHABLE';
      if (!retryable || tries >= policy.retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
