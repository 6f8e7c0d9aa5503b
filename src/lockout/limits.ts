/**
 * Attempt limits (issue 16, beyond AWS): after `maxFailures` wrong MFA codes for one device, or
 * bad signatures with one long-term access key, within `windowMs`, the device or key is locked
 * for `lockoutMs`. During a lock every request naming it is refused without being checked (a
 * right code too: a lock cannot be probed), is not counted and does not extend the lock — so a
 * client's automatic retries do no harm, and guessing a code takes years (with the defaults, 5
 * guesses per 15 minutes against 3 valid codes in a million: about two years on average).
 *
 * The counts live in the store (one record per subject), so a limit holds across workers,
 * `serve` processes on one PostgreSQL, and restarts.
 */
import type { Deps } from "../deps.js";
import type { AttemptLimits, AttemptRecord } from "../store/store.js";

export type { AttemptLimits };

export const DEFAULT_ATTEMPT_LIMITS: AttemptLimits = {
  maxFailures: 5,
  windowMs: 5 * 60_000,
  lockoutMs: 15 * 60_000,
};

/**
 * The limits a server runs with travel on its deps (`serve --mfa-max-failures`,
 * `--mfa-lockout-seconds`, set by server/start.ts); deps made without them (a verifier, a test)
 * use the defaults.
 */
export const attemptLimitsOf = (deps: Pick<Deps, "attemptLimits">): AttemptLimits => deps.attemptLimits ?? DEFAULT_ATTEMPT_LIMITS;

/** What is locked: an MFA device by its serial number, a long-term key by its id. */
export type AttemptKind = "mfa-device" | "access-key";

/** The store's key for a subject: serial numbers are unique across accounts, as key ids are. */
export const attemptSubject = (kind: AttemptKind, id: string): string => `${kind === "mfa-device" ? "mfa" : "key"}:${id}`;

export const isLocked = (record: AttemptRecord | undefined, now: number): boolean =>
  record !== undefined && record.lockedUntil !== null && record.lockedUntil > now;
