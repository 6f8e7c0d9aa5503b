/**
 * limitedMfaCheck under concurrency, on a real store: every attempt takes a place in the count
 * before its code is checked, so attempts in flight together cannot have more codes checked than
 * the limit; beyond it they are refused without locking anything; then a wrong code counts, a
 * right one resets the count, a replay counts nothing.
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

  it("a right code sent ten times at once: one accepted, places beyond the limit refused, nothing locked", async () => {
    const ctx = context();
    const { answers, checked } = await together(ctx, ["accepted", ...Array(9).fill("spent")]);
    expect(checked).toBe(5);
    expect(answers).toEqual(["accepted", "refused", "refused", "refused", "refused", ...Array(5).fill("Throttling")]);
    expect(await store!.getAttempts(SUBJECT)).toBeUndefined();
  });

  it("a right code resets the count; a replay counts nothing; the 5th wrong code locks", async () => {
    const ctx = context();
    const first = await together(ctx, ["wrong", "wrong", "wrong", "wrong", "accepted"]);
    expect(first.answers).toEqual(["refused", "refused", "refused", "refused", "accepted"]);
    expect(await store!.getAttempts(SUBJECT)).toBeUndefined();
    await together(ctx, ["wrong", "spent", "wrong", "spent"]);
    expect(await store!.getAttempts(SUBJECT)).toEqual({ failures: 2, lockedUntil: null });
    await together(ctx, ["wrong", "wrong", "wrong"]);
    expect(await store!.getAttempts(SUBJECT)).toEqual({ failures: 0, lockedUntil: T + 15 * 60_000 });
    expect((await together(ctx, ["accepted"])).answers).toEqual(["Throttling"]);
  });
});
