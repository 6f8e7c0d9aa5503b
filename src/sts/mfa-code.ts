/**
 * The MFA check GetSessionToken and AssumeRole share (spec §4.2 rows 1–3, assume-role spec §3
 * rows 13–14): SerialNumber and TokenCode come together, the device must be the caller's own and
 * enabled, and the code new and right — each code works once (DESIGN.md decision 3) — within the
 * device's attempt limit (lockout/mfa-attempts.ts).
 */
import { Errors } from "../errors.js";
import { limitedMfaCheck } from "../lockout/mfa-attempts.js";
import { acceptCode, isEnabledFor } from "../mfa/device.js";
import { isSpentCode } from "../mfa/spent-codes.js";
import type { OperationContext } from "../protocol/operation.js";

/**
 * Returns the serial number when a code was given and accepted, undefined when neither was given
 * — or when the caller is a role session: it has no MFA devices of its own, and a code it sends
 * does not make it MFA-authenticated; the trust policy decides (assume-role spec §4.4: a role
 * session's "AssumeRole (with MFA)" is refused with row 1's text — UNCONFIRMED).
 */
export async function checkMfaCode(
  ctx: OperationContext,
  serialNumber: string | undefined,
  tokenCode: string | undefined,
  now: number,
): Promise<string | undefined> {
  if ((serialNumber === undefined) !== (tokenCode === undefined)) throw Errors.mfaIncomplete();
  if (serialNumber === undefined || tokenCode === undefined) return undefined;
  const { principal } = ctx.caller;
  if (principal.type === "role") return undefined;
  const device = await ctx.deps.store.getMfaDevice(principal.accountId, serialNumber);
  const owner = principal.type === "root" ? null : principal.user.userName;
  if (!device || !isEnabledFor(device, owner)) throw Errors.mfaNotAssociated();
  // A wrong code and a replayed one are the same answer at AWS (spec §4.2 row 1); a wrong one
  // counts toward the device's attempt limit (issue 16). While it is locked: Throttling, unchecked.
  const accepted = await limitedMfaCheck(ctx, { serialNumber, owner }, now, async () => {
    if (await acceptCode(ctx.deps, device, tokenCode, now)) return "accepted";
    return isSpentCode(ctx.deps.secrets, device, tokenCode, now) ? "spent" : "wrong";
  });
  if (!accepted) throw Errors.mfaInvalidCode();
  return serialNumber;
}
