import type { Classify } from '../metrics/http.ts';
import type { RetryBudget } from './budget.ts';

/** A retryable route: which responses are failures, and the service's budget. */
export interface RetryPolicy {
  readonly classify: Classify;
  readonly budget: RetryBudget;
}

/** Request bodies up to this size are kept for a retry; larger requests are not retried. */
export const MAX_REPLAY_BYTES = 64 * 1024;
