import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ENABLE_SEARCH_STEPS,
  RESYNC_SEARCH_STEPS,
  checkCode,
  checkConsecutiveCodes,
  hotp,
  timeStep,
  totpCode,
} from "./totp.js";

// RFC 4226 Appendix D and RFC 6238 Appendix B both use this 20-byte ASCII secret for SHA-1.
const RFC_SEED = Buffer.from("12345678901234567890", "ascii");
const STEP_MS = 30_000;
/** The middle of a step, so ±1 step in ms never crosses a boundary by accident. */
const atStep = (step: number): number => step * STEP_MS + 15_000;

describe("hotp (RFC 4226 Appendix D)", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  expected.forEach((code, counter) => {
    it(`counter ${counter} → ${code}`, () => expect(hotp(RFC_SEED, counter, 6)).toBe(code));
  });

  it("rejects negative and non-integer counters", () => {
    expect(() => hotp(RFC_SEED, -1, 6)).toThrow(RangeError);
    expect(() => hotp(RFC_SEED, 1.5, 6)).toThrow(RangeError);
  });
});

describe("TOTP (RFC 6238 Appendix B, SHA-1)", () => {
  const vectors: Array<[number, string]> = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [seconds, code8] of vectors) {
    it(`T=${seconds}s → ${code8}`, () => {
      const step = timeStep(seconds * 1000);
      expect(hotp(RFC_SEED, step, 8)).toBe(code8);
      expect(totpCode(RFC_SEED, step)).toBe(code8.slice(-6));
    });
  }

  it("timeStep is floor(now / 30 s)", () => {
    expect(timeStep(0)).toBe(0);
    expect(timeStep(29_999)).toBe(0);
    expect(timeStep(30_000)).toBe(1);
    expect(timeStep(59_000)).toBe(1);
    expect(timeStep(20_000_000_000_000)).toBe(666_666_666);
  });
});

describe("checkCode", () => {
  const now = 50_000_000; // an arbitrary step
  const codeAt = (offset: number): string => totpCode(RFC_SEED, now + offset);

  it("the window's codes are distinct for this seed (so the edge tests mean something)", () => {
    const codes = [-2, -1, 0, 1, 2].map(codeAt);
    expect(new Set(codes).size).toBe(5);
  });

  it.each([
    [-2, false],
    [-1, true],
    [0, true],
    [1, true],
    [2, false],
  ])("a code %i steps from now is accepted: %s", (offset, accepted) => {
    const result = checkCode(RFC_SEED, codeAt(offset), atStep(now), null);
    expect(result).toEqual(accepted ? { ok: true, step: now + offset } : { ok: false });
  });

  it("accepts at the exact first and last millisecond of the step", () => {
    expect(checkCode(RFC_SEED, codeAt(-1), now * STEP_MS, null)).toEqual({ ok: true, step: now - 1 });
    expect(checkCode(RFC_SEED, codeAt(1), (now + 1) * STEP_MS - 1, null)).toEqual({ ok: true, step: now + 1 });
    expect(checkCode(RFC_SEED, codeAt(-1), (now + 1) * STEP_MS, null)).toEqual({ ok: false });
  });

  it("never accepts the same code twice", () => {
    const first = checkCode(RFC_SEED, codeAt(0), atStep(now), null);
    expect(first).toEqual({ ok: true, step: now });
    expect(checkCode(RFC_SEED, codeAt(0), atStep(now), now)).toEqual({ ok: false });
    // Still refused a step later, while it is inside the window as now−1.
    expect(checkCode(RFC_SEED, codeAt(0), atStep(now + 1), now)).toEqual({ ok: false });
  });

  it("refuses an older step after a newer one was accepted", () => {
    expect(checkCode(RFC_SEED, codeAt(1), atStep(now), null)).toEqual({ ok: true, step: now + 1 });
    expect(checkCode(RFC_SEED, codeAt(0), atStep(now), now + 1)).toEqual({ ok: false });
    expect(checkCode(RFC_SEED, codeAt(-1), atStep(now), now + 1)).toEqual({ ok: false });
  });

  it("accepts a newer step after an older one", () => {
    expect(checkCode(RFC_SEED, codeAt(1), atStep(now), now - 1)).toEqual({ ok: true, step: now + 1 });
  });

  // For this seed, steps 910737 and 910738 both have code 911617 (found by search): the
  // "several steps match" case the spec calls possible in theory.
  describe("when two steps in the window share a code", () => {
    const [a, b, shared] = [910_737, 910_738, "911617"];

    it("the fixture really collides", () => {
      expect(totpCode(RFC_SEED, a)).toBe(shared);
      expect(totpCode(RFC_SEED, b)).toBe(shared);
    });

    it("takes the latest matching step", () => {
      expect(checkCode(RFC_SEED, shared, atStep(a), null)).toEqual({ ok: true, step: b });
      expect(checkCode(RFC_SEED, shared, atStep(b), a - 1)).toEqual({ ok: true, step: b });
    });

    it("takes the later one when the earlier was already used, and refuses once both are", () => {
      expect(checkCode(RFC_SEED, shared, atStep(b), a)).toEqual({ ok: true, step: b });
      expect(checkCode(RFC_SEED, shared, atStep(b), b)).toEqual({ ok: false });
    });
  });

  it.each(["", "12345", "1234567", "12345a", " 123456", "123456 ", "12 345", "+12345", "-12345", "１２３４５６", "١٢٣٤٥٦", "123456\n"])(
    "refuses the malformed code %j",
    (code) => {
      expect(checkCode(RFC_SEED, code, atStep(now), null)).toEqual({ ok: false });
    },
  );

  it("does not accept the 8-digit form of a valid code", () => {
    const step = timeStep(59_000);
    expect(checkCode(RFC_SEED, hotp(RFC_SEED, step, 8), 59_000, null)).toEqual({ ok: false });
    expect(checkCode(RFC_SEED, hotp(RFC_SEED, step, 6), 59_000, null)).toEqual({ ok: true, step });
  });

  it("does not throw near time zero (steps before 0 do not exist)", () => {
    expect(checkCode(RFC_SEED, totpCode(RFC_SEED, 0), 0, null)).toEqual({ ok: true, step: 0 });
    expect(checkCode(RFC_SEED, "000000", 0, null).ok).toBeTypeOf("boolean");
  });

  it("never throws on arbitrary strings, and only 6-digit strings can pass", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[0-9]{0,8}$/)),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.option(fc.integer({ min: -1, max: 200_000_000 })),
        (code, nowMs, last) => {
          const result = checkCode(RFC_SEED, code, nowMs, last);
          if (!/^[0-9]{6}$/.test(code)) expect(result).toEqual({ ok: false });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("accepts the current code for any seed and time (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 64 }), fc.integer({ min: 0, max: 4_000_000_000_000 }), (seed, nowMs) => {
        const step = timeStep(nowMs);
        const result = checkCode(seed, totpCode(seed, step), nowMs, null);
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.step).toBeGreaterThanOrEqual(step);
        expect(checkCode(seed, totpCode(seed, step), nowMs, step + 1)).toEqual({ ok: false });
      }),
    );
  });
});

describe("checkConsecutiveCodes", () => {
  const now = 60_000_000;
  const codeAt = (step: number): string => totpCode(RFC_SEED, step);

  it("accepts the pair (s, s+1) and returns the step of the second code", () => {
    expect(checkConsecutiveCodes(RFC_SEED, codeAt(now - 1), codeAt(now), atStep(now), ENABLE_SEARCH_STEPS)).toEqual({
      ok: true,
      step: now,
    });
  });

  it("refuses the swapped pair", () => {
    expect(checkConsecutiveCodes(RFC_SEED, codeAt(now), codeAt(now - 1), atStep(now), ENABLE_SEARCH_STEPS)).toEqual({ ok: false });
  });

  it("refuses the same code twice", () => {
    expect(checkConsecutiveCodes(RFC_SEED, codeAt(now), codeAt(now), atStep(now), ENABLE_SEARCH_STEPS)).toEqual({ ok: false });
  });

  it("refuses two codes that are not adjacent", () => {
    expect(checkConsecutiveCodes(RFC_SEED, codeAt(now - 2), codeAt(now), atStep(now), ENABLE_SEARCH_STEPS)).toEqual({ ok: false });
  });

  it("honours the window edges: s+1 may be ±searchSteps from now, not further", () => {
    const pairEnding = (step: number) => [codeAt(step - 1), codeAt(step)] as const;
    for (const searchSteps of [0, 1, ENABLE_SEARCH_STEPS, RESYNC_SEARCH_STEPS]) {
      for (const offset of [-searchSteps, searchSteps]) {
        const [c1, c2] = pairEnding(now + offset);
        expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), searchSteps)).toEqual({ ok: true, step: now + offset });
      }
      for (const offset of [-searchSteps - 1, searchSteps + 1]) {
        const [c1, c2] = pairEnding(now + offset);
        expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), searchSteps)).toEqual({ ok: false });
      }
    }
  });

  it("resync finds a device that drifted by minutes; enable does not", () => {
    const [c1, c2] = [codeAt(now - 8), codeAt(now - 7)];
    expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), RESYNC_SEARCH_STEPS)).toEqual({ ok: true, step: now - 7 });
    expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), ENABLE_SEARCH_STEPS)).toEqual({ ok: false });
  });

  it("with lastAcceptedStep, refuses pairs whose first code was already spent", () => {
    const [c1, c2] = [codeAt(now - 1), codeAt(now)];
    expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), RESYNC_SEARCH_STEPS, now - 2)).toEqual({ ok: true, step: now });
    expect(checkConsecutiveCodes(RFC_SEED, c1, c2, atStep(now), RESYNC_SEARCH_STEPS, now - 1)).toEqual({ ok: false });
  });

  it("refuses malformed codes and rejects a bad searchSteps", () => {
    expect(checkConsecutiveCodes(RFC_SEED, "12345", codeAt(now), atStep(now), 2)).toEqual({ ok: false });
    expect(checkConsecutiveCodes(RFC_SEED, codeAt(now - 1), "abcdef", atStep(now), 2)).toEqual({ ok: false });
    expect(() => checkConsecutiveCodes(RFC_SEED, codeAt(now - 1), codeAt(now), atStep(now), -1)).toThrow(RangeError);
    expect(() => checkConsecutiveCodes(RFC_SEED, codeAt(now - 1), codeAt(now), atStep(now), 1.5)).toThrow(RangeError);
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 4_000_000_000_000 }), (c1, c2, nowMs) => {
        const result = checkConsecutiveCodes(RFC_SEED, c1, c2, nowMs, RESYNC_SEARCH_STEPS);
        expect(result.ok).toBe(false); // random strings are never the right consecutive pair
      }),
    );
  });
});
