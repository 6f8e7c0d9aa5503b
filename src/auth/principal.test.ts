import { describe, expect, it } from "vitest";
import { conditionKeys, type Session } from "./principal.js";

const T = Date.UTC(2026, 10, 23, 9, 0, 0);
const session = (mfa: Session["mfa"]): Session => ({ issuedAt: T, expiresAt: T + 3_600_000, mfa, sourceAccessKeyId: "AKIAAAAAAAAAAAAAAAAA" });

describe("conditionKeys (spec §6.3)", () => {
  it("long-term keys: none of the session keys are present", () => {
    expect(conditionKeys(null, T)).toEqual({});
  });
  it("a session without MFA: MultiFactorAuthPresent false, no age, the issue time", () => {
    expect(conditionKeys(session(null), T + 5000)).toEqual({
      "aws:MultiFactorAuthPresent": false,
      "aws:TokenIssueTime": new Date(T),
    });
  });
  it("a session with MFA: present, its age in whole seconds, the issue time", () => {
    expect(conditionKeys(session({ serialNumber: "GAHT12345678", authenticatedAt: T }), T + 90_999)).toEqual({
      "aws:MultiFactorAuthPresent": true,
      "aws:MultiFactorAuthAge": 90,
      "aws:TokenIssueTime": new Date(T),
    });
  });
});
