/**
 * The code an enabled device will be accepted with next, worked out the way the server checks
 * codes (mfa/device.ts): at the device's time (the server's clock plus the drift learnt at enable),
 * within ±1 step, and later than the last step accepted (each step once, DESIGN.md decision 3).
 */
import { STEP_SECONDS, timeStep, totpCode } from "../mfa/totp.js";

export interface DeviceState {
  /** The last step the server accepted from the device; null before any. */
  readonly lastStep: number | null;
  /** How many steps the device's clock runs ahead of the server's. */
  readonly driftSteps: number;
}

/**
 * The step of the code the server accepts next: the device's current step when it is still
 * unspent (rather than the step before, which would stop being accepted a step sooner), else the
 * step after the last one accepted. That step can lie beyond the ±1 window (two codes used in
 * one step): its code is then accepted once the server's clock has moved on to it.
 */
export function nextStep(device: DeviceState, nowMs: number): number {
  const deviceStep = timeStep(nowMs + device.driftSteps * STEP_SECONDS * 1000);
  return device.lastStep === null ? deviceStep : Math.max(deviceStep, device.lastStep + 1);
}

export const nextCode = (seed: Uint8Array, device: DeviceState, nowMs: number): string => totpCode(seed, nextStep(device, nowMs));
