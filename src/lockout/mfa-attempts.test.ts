/**
 * limitedMfaCheck under concurrency, on a real store: every attempt takes its place in the count
 * before its code is checked, so attempts in flight together cannot have more codes checked than
 * the limit; a right code gives its place back (and lifts only the lock its own place began), a
 * replay gives its place back, a wrong code keeps it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OperationContext } from "../protocol/operation.js";
import { SqliteStore } from "../store/sqlite.js";
import { limitedMfaCheck, type CodeVerdict } from "./mfa-attempts.js";

const T = 1_767_225_600_000;
const DEVICE = { serialNumber: "arn:aws:iam::123456789012:mfa/alice", owner: "alice" };
const SUBJECT = `mfa:${DEVICE.serialNumber}`;

let store: SqliteStore | undefined;
afterEach(() => store?.close());

function context(): OperationContext {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "mfa-sts-attempts-")), "attempts.db"));
  const caller = { principal: { accountId: "123456789012" }, service: "sts", region: "us-east-1", origin: { sourceIp: "127.0.0.1" } };
  return { deps: { store }, caller, requestId: "r" } as unknown as OperationContext;
}

/** Starts `verdicts.length` checks at once; each check waits until every attempt has got as far as it can. */
async function together(ctx: OperationContext, verdicts: readonly CodeVerdict[]): Promise<{ answers: string[]; checked: number }> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let checked = 0;
  const runs = verdicts.map((verdict) =>
    limitedMfaCheck(ctx, DEVICE, T, async () => {
      checked++;
      await gate;
      return verdict;
    }).then(
      (ok) => (ok ? "accepted" : "refused"),
      (e: { code?: string }) => e.code ?? "error",
    ),
  );
  // Let every attempt reach its check (or its refusal) before any check answers.
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  release();
  return { answers: await Promise.all(runs), checked };
}

describe("limitedMfaCheck: attempts in flight together", () => {
  it("20 wrong codes at once: 5 are checked, 15 are Throttling, and the device is locked", async () => {
    const ctx = context();
    const { answers, checked } = await together(ctx, Array(20).fill("wrong"));
    expect(checked).toBe(5);
    expect(answers.filter((a) => a === "refused")).toHaveLength(5);
    expect(answers.filter((a) => a === "Throttling")).toHaveLength(15);
    expect((await store!.getAttempts(SUBJECT))?.lockedUntil).toBe(T + 15 * 60_000);
  });

  it("a right code among the first five resets the count, lifting the lock only when its own place began it", async () => {
    const ctx = context();
    // Places 1–4 wrong, the 5th (which locks) right: the lock is its own, so it goes.
    const first = await together(ctx, ["wrong", "wrong", "wrong", "wrong", "accepted"]);
    expect(first.answers).toEqual(["refused", "refused", "refused", "refused", "accepted"]);
    expect(await store!.getAttempts(SUBJECT)).toBeUndefined();
    // Place 1 right, places 2–5 wrong: the 5th place's lock is not the right code's to lift.
    const second = await together(ctx, ["accepted", "wrong", "wrong", "wrong", "wrong", "wrong"]);
    expect(second.answers).toEqual(["accepted", "refused", "refused", "refused", "refused", "Throttling"]);
    expect((await store!.getAttempts(SUBJECT))?.lockedUntil).toBe(T + 15 * 60_000);
  });

  it("a replay gives its place back, unless its place began a lock", async () => {
    const ctx = context();
    await together(ctx, ["wrong", "spent", "wrong"]);
    expect(await store!.getAttempts(SUBJECT)).toEqual({ failures: 2, lockedUntil: null });
    // A known spent code in the 5th place cannot reset the count for more guesses.
    await together(ctx, ["wrong", "wrong", "spent"]);
    expect((await store!.getAttempts(SUBJECT))?.lockedUntil).toBe(T + 15 * 60_000);
  });
});
