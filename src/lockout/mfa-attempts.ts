/**
 * The attempt limit around every MFA code check: GetSessionToken and AssumeRole (one code),
 * EnableMFADevice and ResyncMFADevice (two consecutive codes). Each failed check counts against
 * the device; a locked device answers Throttling before its codes are looked at.
 */
import { Errors } from "../errors.js";
import type { OperationContext } from "../protocol/operation.js";
import { countFailure, forgetFailures } from "./failures.js";
import { attemptSubject, isLocked } from "./limits.js";

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
 * Runs `check` unless the device is locked, and counts a wrong code or resets the count after a
 * success. Returns whether the codes were accepted; throws AWS's Throttling while the device is
 * locked, also when another request locked it while this one was being checked (this one was
 * then not counted).
 */
export async function limitedMfaCheck(ctx: OperationContext, device: CheckedDevice, now: number, check: () => Promise<CodeVerdict>): Promise<boolean> {
  const { deps, caller } = ctx;
  const record = await deps.store.getAttempts(attemptSubject("mfa-device", device.serialNumber));
  if (isLocked(record, now)) throw Errors.throttling();
  const verdict = await check();
  if (verdict === "accepted") {
    await forgetFailures(deps, "mfa-device", device.serialNumber, record, now);
    return true;
  }
  if (verdict === "spent") return false;
  const result = await countFailure(
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
    now,
  );
  if (result.outcome === "already-locked") throw Errors.throttling();
  return false;
}
