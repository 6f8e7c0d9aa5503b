/**
 * The one rule both stores apply when a failed attempt is counted (issue 16), decided here so
 * that SQLite and PostgreSQL cannot disagree: each store reads the subject's row under its write
 * lock, asks `nextAfterFailure` (or, for an MFA check, `nextAfterBegin` then `nextAfterSettle`),
 * and writes what it says.
 *
 * A row keeps the times of the failures still counted (a sliding window: "5 failures within 5
 * minutes" means any 5 within any 5 minutes, not 5 since the first one) and the end of the lock.
 */
import type { AttemptLimits, AttemptVerdict, BeginAttemptResult, FailedAttemptResult } from "./store.js";

/**
 * A subject's row as both stores hold it: failure times (ms) oldest first; the attempts whose MFA
 * codes are being checked right now (the ms each began: a place each in the count until it is
 * settled); and the lock's end.
 */
export interface AttemptRow {
  readonly failureTimes: readonly number[];
  readonly pendingTimes: readonly number[];
  readonly lockedUntil: number | null;
}

/** What to write (nothing while locked) and what to answer. */
export interface NextAttempt {
  readonly write: AttemptRow | undefined;
  readonly result: FailedAttemptResult;
}

const EMPTY: AttemptRow = { failureTimes: [], pendingTimes: [], lockedUntil: null };
const lockedAt = (row: AttemptRow | undefined, now: number): row is AttemptRow & { lockedUntil: number } =>
  row?.lockedUntil != null && row.lockedUntil > now;
/** Times at or after now − window still count; a time ahead of now (a clock set back) too. A check that began before the window is long over. */
const recent = (times: readonly number[], now: number, limits: AttemptLimits): number[] => times.filter((t) => now - t < limits.windowMs);
/** `times` without one `at` (when there is one). */
const withoutOne = (times: readonly number[], at: number): number[] => {
  const index = times.indexOf(at);
  return index < 0 ? [...times] : times.filter((_, i) => i !== index);
};

export function nextAfterFailure(row: AttemptRow | undefined, now: number, limits: AttemptLimits): NextAttempt {
  if (lockedAt(row, now)) {
    // Refused during a lock: not counted, the lock not extended (retries and guesses alike).
    return { write: undefined, result: { outcome: "already-locked", lockedUntil: row.lockedUntil } };
  }
  const failures = [...recent(row?.failureTimes ?? [], now, limits), now];
  const pendingTimes = recent(row?.pendingTimes ?? [], now, limits);
  if (failures.length >= limits.maxFailures) {
    const lockedUntil = now + limits.lockoutMs;
    // The count starts again: after the lock, another full set of failures is needed to lock again.
    return { write: { failureTimes: [], pendingTimes, lockedUntil }, result: { outcome: "locked", failures: failures.length, lockedUntil } };
  }
  return { write: { failureTimes: failures, pendingTimes, lockedUntil: null }, result: { outcome: "counted", failures: failures.length } };
}

/**
 * An MFA attempt about to have its code checked. It takes a place in the count — failures and
 * checks in progress together — while there is one: so attempts sent at once, to any number of
 * processes, cannot have more codes checked in a window than the limit allows. Without a place:
 * "busy" (refused, not counted, no lock: a right code sent many times at once must not lock the
 * device).
 */
export function nextAfterBegin(row: AttemptRow | undefined, now: number, limits: AttemptLimits): { write: AttemptRow | undefined; result: BeginAttemptResult } {
  if (lockedAt(row, now)) return { write: undefined, result: { outcome: "already-locked", lockedUntil: row.lockedUntil } };
  const failureTimes = recent(row?.failureTimes ?? [], now, limits);
  const pendingTimes = recent(row?.pendingTimes ?? [], now, limits);
  if (failureTimes.length + pendingTimes.length >= limits.maxFailures) return { write: undefined, result: { outcome: "busy" } };
  return { write: { failureTimes, pendingTimes: [...pendingTimes, now], lockedUntil: row?.lockedUntil ?? null }, result: { outcome: "begun" } };
}

/**
 * The place an attempt begun at `at` took, given up with what its code turned out to be: wrong
 * (counted as a failure, which may begin a lock — as nextAfterFailure), right (the count starts
 * again; a lock is never lifted early), or no guess (a replay: nothing counted). `write` null:
 * the row is empty and goes.
 */
export function nextAfterSettle(
  row: AttemptRow | undefined,
  at: number,
  verdict: AttemptVerdict,
  now: number,
  limits: AttemptLimits,
): { write: AttemptRow | null; result: FailedAttemptResult | undefined } {
  const settled: AttemptRow = { ...(row ?? EMPTY), pendingTimes: withoutOne(recent(row?.pendingTimes ?? [], now, limits), at) };
  if (verdict === "wrong") {
    const next = nextAfterFailure(settled, now, limits);
    return { write: next.write ?? settled, result: next.result };
  }
  const after = verdict === "right" && !lockedAt(settled, now) ? { ...settled, failureTimes: [] } : settled;
  const empty = after.failureTimes.length === 0 && after.pendingTimes.length === 0 && !lockedAt(after, now);
  return { write: empty ? null : after, result: undefined };
}

/**
 * The row's JSON column (text in SQLite, jsonb in PostgreSQL): an array of failure times, or,
 * while checks are in progress, `{"failures": [...], "pending": [...]}`. Anything else is a
 * corrupt row.
 */
export function parseAttemptTimes(stored: unknown): { failureTimes: number[]; pendingTimes: number[] } {
  const value = typeof stored === "string" ? (JSON.parse(stored) as unknown) : stored;
  const times = (v: unknown): v is number[] => Array.isArray(v) && v.every((t) => typeof t === "number" && Number.isFinite(t));
  if (times(value)) return { failureTimes: value, pendingTimes: [] };
  const object = value as { failures?: unknown; pending?: unknown } | null;
  if (object !== null && typeof object === "object" && times(object.failures) && times(object.pending)) {
    return { failureTimes: object.failures, pendingTimes: object.pending };
  }
  throw new Error("attempt_failures.failures is not an array of times");
}

export function attemptTimesJson(row: AttemptRow): string {
  return JSON.stringify(row.pendingTimes.length === 0 ? row.failureTimes : { failures: row.failureTimes, pending: row.pendingTimes });
}
