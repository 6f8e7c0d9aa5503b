/**
 * Telling a replay from a guess, for the attempt limits (issue 16): a refused code that the device
 * did show for a step in the window — right, but already used, or taken by a request that won
 * the race for it — is no guess at the seed, so it is not counted against the device (it is
 * refused all the same, with the same answer). Only asked after a refusal: a success costs nothing.
 */
import type { SecretBox } from "../crypto/secret-box.js";
import type { MfaDevice } from "../store/store.js";
import { checkCodePair, openSeed } from "./device.js";
import { checkCode, STEP_SECONDS } from "./totp.js";

/** One code (GetSessionToken, AssumeRole), checked as acceptCode does but ignoring the last step used. */
export function isSpentCode(secrets: SecretBox, device: MfaDevice, code: string, now: number): boolean {
  return checkCode(openSeed(secrets, device), code, now + device.driftSteps * STEP_SECONDS * 1000, null).ok;
}

/** Two consecutive codes (EnableMFADevice, ResyncMFADevice), as checkCodePair but ignoring the last step used. */
export function isSpentCodePair(secrets: SecretBox, device: MfaDevice, code1: string, code2: string, now: number, searchSteps: number): boolean {
  return checkCodePair(openSeed(secrets, device), code1, code2, now, searchSteps, null) !== undefined;
}
