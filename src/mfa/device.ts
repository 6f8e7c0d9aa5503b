/**
 * Checking codes against a stored MFA device: open its sealed seed, allow for the clock drift
 * learnt at enable/resync, and accept each time step once (DESIGN.md decision 3).
 */
import type { SecretBox } from "../crypto/secret-box.js";
import type { MfaDevice, MfaSync, Store } from "../store/store.js";
import { checkCode, checkConsecutiveCodes, STEP_SECONDS, timeStep } from "./totp.js";

const STEP_MS = STEP_SECONDS * 1000;

/** Whether the device is enabled for that owner (a user name; null = root). */
export function isEnabledFor(device: MfaDevice, owner: string | null): boolean {
  const assigned = device.assignment;
  if (!assigned) return false;
  if (owner === null) return assigned.user === null;
  return assigned.user !== null && assigned.user.userName.toLowerCase() === owner.toLowerCase();
}

/** The SecretBox context of a device's seed: a sealed seed moved onto another device does not open. */
export const seedContext = (serialNumber: string): string => `mfa-seed:${serialNumber}`;

export function openSeed(secrets: SecretBox, device: MfaDevice): Buffer {
  return Buffer.from(secrets.open(device.sealedSeed, seedContext(device.serialNumber)), "base64");
}

/**
 * One code, as GetSessionToken checks it: right for a step within ±1 of the device's time, later
 * than the last step accepted, and then claimed in the store with a compare-and-set, so of several
 * requests racing with one code (on any number of server processes) exactly one wins.
 */
export async function acceptCode(
  deps: { store: Store; secrets: SecretBox },
  device: MfaDevice,
  code: string,
  now: number,
): Promise<boolean> {
  const check = checkCode(openSeed(deps.secrets, device), code, now + device.driftSteps * STEP_MS, device.lastStep);
  return check.ok && (await deps.store.acceptMfaStep(device.serialNumber, check.step));
}

/**
 * Two consecutive codes, as EnableMFADevice and ResyncMFADevice check them, searched within
 * ±`searchSteps` of the server's time. Returns what to record: the step of the second code and
 * how far the device's clock is from the server's; undefined when the codes do not match.
 */
export function checkCodePair(
  seed: Uint8Array,
  code1: string,
  code2: string,
  now: number,
  searchSteps: number,
  lastStep: number | null,
): MfaSync | undefined {
  const check = checkConsecutiveCodes(seed, code1, code2, now, searchSteps, lastStep);
  if (!check.ok) return undefined;
  return { lastStep: check.step, driftSteps: check.step - timeStep(now) };
}
