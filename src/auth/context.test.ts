import { describe, expect, it } from "vitest";
import { requestContext } from "./context.js";
import type { Caller, Session } from "../principal.js";

const T = Date.UTC(2026, 10, 23, 9, 0, 0);
const alice = { accountId: "123456789012", userId: "AIDAAAAAAAAAAAAAAAAAA", userName: "alice", path: "/eng/", createdAt: new Date(0) };
const session = (mfa: Session["mfa"]): Session => ({ issuedAt: T, expiresAt: T + 3_600_000, mfa, sourceAccessKeyId: "AKIAAAAAAAAAAAAAAAAA", role: null });
const caller = (s: Session | null, at = T): Caller => ({
  principal: { type: "user", accountId: "123456789012", user: alice },
  accessKeyId: "AKIAAAAAAAAAAAAAAAAA",
  region: "us-east-1",
  service: "iam",
  session: s,
  origin: { sourceIp: "::ffff:127.0.0.1", userAgent: "aws-cli/2.0", secure: false, at },
});

describe("requestContext (spec §2.4)", () => {
  it("long-term keys: the global keys, none of the session keys", () => {
    expect(Object.fromEntries(requestContext(caller(null)))).toEqual({
      "aws:currenttime": "2026-11-23T09:00:00Z",
      "aws:epochtime": String(T / 1000),
      "aws:securetransport": "false",
      "aws:sourceip": "127.0.0.1",
      "aws:useragent": "aws-cli/2.0",
      "aws:principalarn": "arn:aws:iam::123456789012:user/eng/alice",
      "aws:principalaccount": "123456789012",
      "aws:userid": "AIDAAAAAAAAAAAAAAAAAA",
      "aws:principaltype": "User",
      "aws:username": "alice",
      "aws:principalisawsservice": "false",
      "aws:viaawsservice": "false",
      "aws:requestedregion": "us-east-1",
    });
  });
  it("a session without MFA: MultiFactorAuthPresent false, no age, the issue time", () => {
    const context = requestContext(caller(session(null), T + 5000));
    expect(context.get("aws:multifactorauthpresent")).toBe("false");
    expect(context.has("aws:multifactorauthage")).toBe(false);
    expect(context.get("aws:tokenissuetime")).toBe("2026-11-23T09:00:00Z");
  });
  it("a session with MFA: present, its age in whole seconds", () => {
    const context = requestContext(caller(session({ serialNumber: "GAHT12345678", authenticatedAt: T }), T + 90_999));
    expect(context.get("aws:multifactorauthpresent")).toBe("true");
    expect(context.get("aws:multifactorauthage")).toBe("90");
  });
  it("keys an action adds are merged in lower case, without changing the caller's context", () => {
    const c = caller(null);
    const merged = requestContext(c, { "iam:PolicyARN": "arn:aws:iam::aws:policy/IAMReadOnlyAccess" });
    expect(merged.get("iam:policyarn")).toBe("arn:aws:iam::aws:policy/IAMReadOnlyAccess");
    expect(requestContext(c).has("iam:policyarn")).toBe(false);
  });
});
