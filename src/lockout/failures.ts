/**
 * Counting a failure and forgetting failures after a success, for both kinds of subject (MFA
 * devices, long-term keys). The failure that begins a lock is told to the security events once
 * (an audit record, a metric, a warn log line: server/instrumentation.ts); the refusals during
 * the lock are not.
 */
import type { LockoutEvent } from "../audit/security-events.js";
import type { Deps } from "../deps.js";
import type { AttemptRecord, FailedAttemptResult } from "../store/store.js";
import { attemptLimitsOf, attemptSubject } from "./limits.js";

/** Who failed, and where: the lockout event less what the store decides. */
export type FailedAttempt = Omit<LockoutEvent, "failures" | "lockedAt" | "lockedUntil">;

export async function countFailure(deps: Pick<Deps, "store" | "events" | "attemptLimits">, attempt: FailedAttempt, now: number): Promise<FailedAttemptResult> {
  const result = await deps.store.recordFailedAttempt(attemptSubject(attempt.kind, attempt.subject), now, attemptLimitsOf(deps));
  reportLockout(deps, attempt, result, now);
  return result;
}

/** Tells the security events about the failure that began a lock (nothing for the others). */
export function reportLockout(deps: Pick<Deps, "events">, attempt: FailedAttempt, result: FailedAttemptResult, now: number): void {
  if (result.outcome === "locked") {
    deps.events?.lockout({ ...attempt, failures: result.failures, lockedAt: now, lockedUntil: result.lockedUntil });
  }
}

/**
 * A success resets the count. `record` is what was read before the attempt: with no failures
 * in it there is nothing to reset, and the success costs no write.
 */
export async function forgetFailures(
  deps: Pick<Deps, "store">,
  kind: FailedAttempt["kind"],
  id: string,
  record: AttemptRecord | undefined,
  now: number,
): Promise<boolean> {
  if (record === undefined || record.failures === 0) return false;
  await deps.store.clearFailedAttempts(attemptSubject(kind, id), now);
  return true;
}
