/**
 * RFC 4226 HOTP / RFC 6238 TOTP as AWS virtual MFA devices use them: HMAC-SHA-1, 30-second
 * steps, 6 digits (aws-sts-spec.md §7.1). Implemented on node:crypto rather than `otpauth`
 * because this sits on the GetSessionToken hot path and needs no URI parsing or objects.
 * Time is passed in as milliseconds; nothing here reads the clock.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const STEP_SECONDS = 30;
export const DIGITS = 6;

/** ±1 step: a code typed just before a step boundary, or from a device up to 30 s off. */
export const CHECK_WINDOW_STEPS = 1;

/**
 * Windows for the two-code operations. AWS documents neither. Enable: code2 is normally the
 * step now or the one before (the user waits for the second code, then submits), so ±2.
 * Resync exists to recover drifted devices, so it searches wider: ±10 steps (±5 minutes).
 */
export const ENABLE_SEARCH_STEPS = 2;
export const RESYNC_SEARCH_STEPS = 10;

const SIX_DIGITS = /^[0-9]{6}$/;
const TWO_POW_32 = 0x1_0000_0000;

/** RFC 4226 §5.3: HMAC-SHA-1 over the 8-byte big-endian counter, dynamic truncation. */
export function hotp(seed: Uint8Array, counter: number, digits: number = DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError("HOTP counter must be a non-negative safe integer");
  if (!Number.isInteger(digits) || digits < 1 || digits > 9) throw new RangeError("HOTP digits must be 1..9");
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / TWO_POW_32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac("sha1", seed).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

export const timeStep = (nowMs: number): number => Math.floor(nowMs / 1000 / STEP_SECONDS);

export const totpCode = (seed: Uint8Array, step: number): string => hotp(seed, step, DIGITS);

export type CodeCheck = { ok: true; step: number } | { ok: false };

const FAIL: CodeCheck = Object.freeze({ ok: false });

/** Constant-time equality of two 6-digit ASCII strings (both already validated). */
const sameCode = (a: string, b: string): boolean => timingSafeEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));

/**
 * Accepts `code` if it is the code for the step now, now−1 or now+1 AND that step is later than
 * `lastAcceptedStep`, so a code (or an older one) is never accepted twice (AWS rejects reuse,
 * spec §7.1). The caller must store the returned step as the new last accepted step.
 * Every step of the window is computed and compared, so timing does not say which one matched.
 */
export function checkCode(seed: Uint8Array, code: string, nowMs: number, lastAcceptedStep: number | null): CodeCheck {
  if (typeof code !== "string" || !SIX_DIGITS.test(code)) return FAIL;
  const now = timeStep(nowMs);
  let matched: number | null = null;
  // Oldest to newest, so the latest acceptable match wins.
  for (let step = now - CHECK_WINDOW_STEPS; step <= now + CHECK_WINDOW_STEPS; step++) {
    if (step < 0) continue;
    const equal = sameCode(totpCode(seed, step), code);
    if (equal && (lastAcceptedStep === null || step > lastAcceptedStep)) matched = step;
  }
  return matched === null ? FAIL : { ok: true, step: matched };
}

/**
 * EnableMFADevice / ResyncMFADevice: "two consecutive codes", code1 at step s and code2 at s+1,
 * with s+1 within ±`searchSteps` of now. Returns the step of code2, which the caller records as
 * the last accepted step. With `lastAcceptedStep` (resync of a device already used), both codes
 * must be newer than it, so a code already spent cannot be replayed here either.
 * When several pairs match, the latest wins.
 */
export function checkConsecutiveCodes(
  seed: Uint8Array,
  code1: string,
  code2: string,
  nowMs: number,
  searchSteps: number,
  lastAcceptedStep: number | null = null,
): CodeCheck {
  if (!Number.isInteger(searchSteps) || searchSteps < 0 || searchSteps > 1000) {
    throw new RangeError("searchSteps must be an integer in 0..1000");
  }
  if (typeof code1 !== "string" || typeof code2 !== "string" || !SIX_DIGITS.test(code1) || !SIX_DIGITS.test(code2)) {
    return FAIL;
  }
  const now = timeStep(nowMs);
  let matched: number | null = null;
  let previous: string | null = null; // the code for step − 1
  // Starts one step early only to fill `previous`: the first pair ends at now − searchSteps.
  for (let step = now - searchSteps - 1; step <= now + searchSteps; step++) {
    if (step < 0) continue;
    const current = totpCode(seed, step);
    if (
      previous !== null &&
      sameCode(previous, code1) &&
      sameCode(current, code2) &&
      (lastAcceptedStep === null || step - 1 > lastAcceptedStep)
    ) {
      matched = step;
    }
    previous = current;
  }
  return matched === null ? FAIL : { ok: true, step: matched };
}
