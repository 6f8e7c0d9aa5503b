/**
 * The one rule both stores apply when a failed attempt is counted (issue 16), decided here so
 * that SQLite and PostgreSQL cannot disagree: each store reads the subject's row under its write
 * lock, asks `nextAfterFailure`, and writes what it says.
 *
 * A row keeps the times of the failures still counted (a sliding window: "5 failures within 5
 * minutes" means any 5 within any 5 minutes, not 5 since the first one) and the end of the lock.
 */
import type { AttemptLimits, FailedAttemptResult } from "./store.js";

/** A subject's row as both stores hold it: failure times (ms) oldest first, and the lock's end. */
export interface AttemptRow {
  readonly failureTimes: readonly number[];
  readonly lockedUntil: number | null;
}

/** What to write (nothing while locked) and what to answer. */
export interface NextAttempt {
  readonly write: AttemptRow | undefined;
  readonly result: FailedAttemptResult;
}

export function nextAfterFailure(row: AttemptRow | undefined, now: number, limits: AttemptLimits): NextAttempt {
  if (row?.lockedUntil != null && row.lockedUntil > now) {
    // Refused during a lock: not counted, the lock not extended (retries and guesses alike).
    return { write: undefined, result: { outcome: "already-locked", lockedUntil: row.lockedUntil } };
  }
  // Failures at or after now − window still count; a time ahead of now (a clock set back) too.
  const recent = (row?.failureTimes ?? []).filter((t) => now - t < limits.windowMs);
  recent.push(now);
  if (recent.length >= limits.maxFailures) {
    const lockedUntil = now + limits.lockoutMs;
    // The count starts again: after the lock, another full set of failures is needed to lock again.
    return { write: { failureTimes: [], lockedUntil }, result: { outcome: "locked", failures: recent.length, lockedUntil } };
  }
  return { write: { failureTimes: recent, lockedUntil: null }, result: { outcome: "counted", failures: recent.length } };
}

/**
 * A counted attempt taken back (its code turned out to be no guess: a replay): one failure at
 * `at` leaves the count. Undefined when there is nothing to change — no such failure, or a lock
 * began since (the count it held is gone; the lock stays).
 */
export function nextAfterWithdrawal(row: AttemptRow | undefined, at: number): AttemptRow | undefined {
  const index = row?.failureTimes.indexOf(at) ?? -1;
  if (row === undefined || index < 0) return undefined;
  return { failureTimes: row.failureTimes.filter((_, i) => i !== index), lockedUntil: row.lockedUntil };
}

/** The failure times as stored: a JSON array of ms (text in SQLite, jsonb in PostgreSQL); anything else is a corrupt row. */
export function parseFailureTimes(stored: unknown): number[] {
  const value = typeof stored === "string" ? (JSON.parse(stored) as unknown) : stored;
  if (!Array.isArray(value) || !value.every((t) => typeof t === "number" && Number.isFinite(t))) {
    throw new Error("attempt_failures.failures is not an array of times");
  }
  return value as number[];
}
