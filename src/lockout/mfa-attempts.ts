/**
 * The attempt limit around every MFA code check: GetSessionToken and AssumeRole (one code),
 * EnableMFADevice and ResyncMFADevice (two consecutive codes). Each failed check counts against
 * the device; a locked device answers Throttling before its codes are looked at.
 */
import { Errors } from "../errors.js";
import type { OperationContext } from "../protocol/operation.js";
import { reportLockout } from "./failures.js";
import { attemptLimitsOf, attemptSubject } from "./limits.js";

/**
 * What a check found: the codes accepted; wrong (a guess: counted); or right but already used
 * (a replay, or the loser of a race for one code: refused, not counted — mfa/spent-codes.ts).
 */
export type CodeVerdict = "accepted" | "wrong" | "spent";

export interface CheckedDevice {
  readonly serialNumber: string;
  /** Its user (or the user it is being enabled for); null for the root user. */
  readonly owner: string | null;
}

/**
 * Runs `check` unless the device is locked. The attempt is counted as a failure before its codes
 * are looked at, so that guesses sent at once — to any number of workers or `serve` processes —
 * cannot have more codes checked than the limit allows: each takes its place in the count first,
 * and the one that fills it locks the device for all that come after. A right code then gives its
 * place back and resets the count (lifting the lock only if its own place began it); a replay
 * (no guess) gives its place back; a wrong code keeps it. Returns whether the codes were
 * accepted; throws AWS's Throttling while the device is locked.
 */
export async function limitedMfaCheck(ctx: OperationContext, device: CheckedDevice, now: number, check: () => Promise<CodeVerdict>): Promise<boolean> {
  const { deps, caller } = ctx;
  const subject = attemptSubject("mfa-device", device.serialNumber);
  const counted = await deps.store.recordFailedAttempt(subject, now, attemptLimitsOf(deps));
  if (counted.outcome === "already-locked") throw Errors.throttling();
  const verdict = await check();
  const lockedByThis = counted.outcome === "locked" ? counted.lockedUntil : undefined;
  if (verdict === "accepted") {
    await deps.store.clearFailedAttempts(subject, now, lockedByThis);
    return true;
  }
  if (verdict === "spent") {
    // A replay in the place that began a lock keeps it: taking it back would let a known
    // spent code reset the count after every four guesses.
    if (lockedByThis === undefined) await deps.store.withdrawFailedAttempt(subject, now);
    return false;
  }
  reportLockout(
    deps,
    {
      kind: "mfa-device",
      accountId: caller.principal.accountId,
      subject: device.serialNumber,
      userName: device.owner,
      service: caller.service,
      region: caller.region,
      requestId: ctx.requestId,
      sourceIp: caller.origin.sourceIp,
    },
    counted,
    now,
  );
  return false;
}
