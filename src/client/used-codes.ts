/**
 * One-time codes: the client remembers, per MFA device, the last code it had accepted and when,
 * in a 0600 file under the user's cache directory, so that a code already spent is refused
 * before STS would refuse it (AWS rejects a reused code, spec §7.1). A code is "the same" for as
 * long as STS could still take it: its step and the next two (STS accepts ±1 step).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ClientEnvironment } from "./config.js";

const STEP_MS = 30_000;
const REUSE_STEPS = 2;

interface UsedCode {
  code: string;
  /** ms since the epoch when STS accepted it */
  at: number;
}

export function usedCodesPath(ce: ClientEnvironment): string {
  const base = ce.env.XDG_CACHE_HOME || join(ce.home, ".cache");
  return join(base, "mfa-sts", "used-codes.json");
}

function readAll(path: string): Record<string, UsedCode> {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, UsedCode>) : {};
  } catch {
    return {}; // missing or damaged: it is only a cache
  }
}

/** When the code was spent, if it was spent on this device recently enough to still count. */
export function spentAt(path: string, serialNumber: string, code: string, now: number): number | undefined {
  const used = readAll(path)[serialNumber];
  if (!used || used.code !== code) return undefined;
  const steps = Math.floor(now / STEP_MS) - Math.floor(used.at / STEP_MS);
  return steps >= 0 && steps <= REUSE_STEPS ? used.at : undefined;
}

/** Seconds until the next 30-second window opens. */
export const secondsToNextCode = (now: number): number => Math.ceil((STEP_MS - (now % STEP_MS)) / 1000);

export function rememberCode(path: string, serialNumber: string, code: string, now: number): void {
  const all = readAll(path);
  all[serialNumber] = { code, at: now };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
