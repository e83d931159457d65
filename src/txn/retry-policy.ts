/** How long a transaction keeps retrying after losing races. */
export interface RetryPolicy {
  /** Non-blind transactions give up after this many attempts. @defaultValue 10 */
  maxAttempts: number;
  /** Blind appends never conflict, so they retry until this budget is spent. @defaultValue 600000 */
  blindAppendBudgetMs: number;
  /** Upper bound of the random pause between attempts (grows with attempts). @defaultValue 5 */
  backoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  blindAppendBudgetMs: 10 * 60_000,
  backoffMs: 5,
};
