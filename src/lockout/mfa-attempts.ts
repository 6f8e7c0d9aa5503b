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
 * Runs `check` unless the device is locked. The attempt first takes a place in the device's count
 * (failures and checks in progress together), so attempts sent at once — to any number of
 * workers or `serve` processes — cannot have more codes checked in a window than the limit
 * allows; one that finds no place is refused with Throttling, uncounted and locking nothing (a
 * right code sent many times at once must not lock the device). Then the place is settled: a wrong
 * code counts as a failure (the limit-th begins the lock), a right one resets the count, a replay
 * (no guess) counts nothing. Returns whether the codes were accepted; throws AWS's Throttling
 * while the device is locked or its count is full.
 */
export async function limitedMfaCheck(ctx: OperationContext, device: CheckedDevice, now: number, check: () => Promise<CodeVerdict>): Promise<boolean> {
  const { deps, caller } = ctx;
  const subject = attemptSubject("mfa-device", device.serialNumber);
  const limits = attemptLimitsOf(deps);
  const begun = await deps.store.beginAttempt(subject, now, limits);
  if (begun.outcome !== "begun") throw Errors.throttling();
  let verdict: CodeVerdict;
  try {
    verdict = await check();
  } catch (e) {
    await deps.store.settleAttempt(subject, now, "no-guess", now, limits);
    throw e;
  }
  const result = await deps.store.settleAttempt(subject, now, verdict === "accepted" ? "right" : verdict === "spent" ? "no-guess" : "wrong", now, limits);
  if (verdict !== "wrong") return verdict === "accepted";
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
    result!,
    now,
  );
  if (result?.outcome === "already-locked") throw Errors.throttling();
  return false;
}
