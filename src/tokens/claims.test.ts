import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MalformedClaims } from "./binary.js";
import { decodeClaims, encodeClaims, type SessionClaims } from "./claims.js";

const base: SessionClaims = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  accountId: "000000000042",
  principal: { type: "user", userId: "AIDAJQABLZS4A3QDU576Q", userName: "alice" },
  mfa: { serialNumber: "arn:aws:iam::000000000042:mfa/alice", authenticatedAt: 1_726_302_305_611 },
  issuedAt: 1_726_302_305_611,
  expiresAt: 1_726_302_305_611 + 43_200_000,
  sourceAccessKeyId: "AKIAIOSFODNN7EXAMPLE",
};

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".split("");
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("");
const chars = (alphabet: string[], n: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((a) => a.join(""));
const time = fc.integer({ min: 0, max: 2 ** 48 - 1 });

/** Any claim set the formats allow, with full-Unicode names and serials. */
const arbitraryClaims: fc.Arbitrary<SessionClaims> = fc.record({
  accessKeyId: chars(BASE32, 16).map((s) => `ASIA${s}`),
  secretAccessKey: chars(BASE64, 40),
  accountId: fc.integer({ min: 0, max: 999_999_999_999 }).map((n) => String(n).padStart(12, "0")),
  principal: fc.oneof(
    fc.constant({ type: "root" as const }),
    fc.record({
      type: fc.constant("user" as const),
      userId: chars(BASE32, 17).map((s) => `AIDA${s}`),
      userName: fc.string({ unit: "binary", maxLength: 64 }),
    }),
  ),
  mfa: fc.option(fc.record({ serialNumber: fc.string({ unit: "binary", maxLength: 256 }), authenticatedAt: time }), {
    nil: null,
  }),
  issuedAt: time,
  expiresAt: time,
  sourceAccessKeyId: chars(BASE32, 16).map((s) => `AKIA${s}`),
});

const roleClaims: SessionClaims = {
  ...base,
  principal: { type: "role", roleId: "AROAR42TAWARILN3MNKUT", roleName: "admin", sessionName: "alice@example.com" },
  sourceAccessKeyId: "ASIAIOSFODNN7EXAMPLF",
  role: {
    chained: true,
    sourceIdentity: "alice",
    policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`.padEnd(2048, " ") + "\u00ff",
    policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::000000000042:policy/p"],
    tags: [
      { key: "Project", value: "X" },
      { key: "Team", value: "" },
    ],
    transitiveTagKeys: ["Project"],
  },
};

describe("claims encoding", () => {
  it("round-trips role sessions: chained from a session or not, with and without session policies and tags", () => {
    const plain = { ...roleClaims, sourceAccessKeyId: "AKIAIOSFODNN7EXAMPLE", mfa: null, role: { chained: false, sourceIdentity: null, policy: null, policyArns: [], tags: [], transitiveTagKeys: [] } };
    for (const claims of [roleClaims, plain]) expect(decodeClaims(encodeClaims(claims))).toEqual(claims);
  });

  it("refuses role claims without a role principal and a role principal without role claims", () => {
    expect(() => encodeClaims({ ...roleClaims, principal: base.principal })).toThrow(TypeError);
    const { role: _omitted, ...withoutRole } = roleClaims;
    expect(() => encodeClaims(withoutRole)).toThrow(TypeError);
  });

  it("refuses a version-2 token whose flags or key kind are out of range", () => {
    const bytes = encodeClaims({ ...roleClaims, role: { ...roleClaims.role!, policy: null, sourceIdentity: null } });
    // version 1 + key 10 + secret 30 + account 5 + roleId 11 + 2 texts + mfa + times 12 → the source kind byte
    const sourceKindAt = 1 + 10 + 30 + 5 + 11 + (2 + 5) + (2 + 17) + 1 + (2 + 5) + 6 + 6 + 6;
    expect(bytes[sourceKindAt]).toBe(1);
    const bad = Buffer.from(bytes);
    bad[sourceKindAt] = 7;
    expect(() => decodeClaims(bad)).toThrow(MalformedClaims);
    const badFlag = Buffer.from(bytes);
    badFlag[sourceKindAt + 11] = 2;
    expect(() => decodeClaims(badFlag)).toThrow(MalformedClaims);
  });

  it("round-trips a user with MFA, a root without, and unicode names", () => {
    for (const claims of [
      base,
      { ...base, principal: { type: "root" as const }, mfa: null },
      { ...base, principal: { type: "user" as const, userId: "AIDAAAAAAAAAAAAAAAAAA", userName: "\uFEFFjosé-名前-😀" } },
      { ...base, mfa: { serialNumber: "GAHT12345678", authenticatedAt: 0 } },
      { ...base, mfa: { serialNumber: "arn:aws:iam::000000000042:mfa/", authenticatedAt: 1 } },
      { ...base, mfa: { serialNumber: "arn:aws:iam::999999999999:mfa/other-account", authenticatedAt: 1 } },
    ]) {
      expect(decodeClaims(encodeClaims(claims))).toEqual(claims);
    }
  });

  it("round-trips every claim set the formats allow", () => {
    fc.assert(fc.property(arbitraryClaims, (claims) => {
        expect(decodeClaims(encodeClaims(claims))).toEqual(claims);
      }));
  });

  it("starts with the version byte and shortens an in-account virtual MFA serial to its name", () => {
    const bytes = encodeClaims(base);
    expect(bytes[0]).toBe(1);
    expect(bytes.includes(Buffer.from("arn:aws:iam"))).toBe(false);
    expect(bytes.includes(Buffer.from("alice"))).toBe(true);
  });

  it("refuses claims outside their formats when encoding", () => {
    for (const bad of [
      { ...base, accessKeyId: "AKIAIOSFODNN7EXAMPLE" },
      { ...base, accessKeyId: "ASIAIOSFODNN7EXAMPL1" },
      { ...base, accessKeyId: "ASIAIOSFODNN7EXAMPLEX" },
      { ...base, secretAccessKey: "short" },
      { ...base, secretAccessKey: "wJalrXUtnFEMI-K7MDENG/bPxRfiCYEXAMPLEKEY" },
      { ...base, accountId: "12345678901" },
      { ...base, sourceAccessKeyId: "ASIAIOSFODNN7EXAMPLE" },
      { ...base, principal: { type: "user" as const, userId: "AIDA", userName: "x" } },
      { ...base, principal: { type: "user" as const, userId: "AIDAJQABLZS4A3QDU576Q", userName: "\uD800" } },
      { ...base, principal: { type: "user" as const, userId: "AIDAJQABLZS4A3QDU576Q", userName: "x".repeat(1025) } },
      { ...base, issuedAt: -1 },
      { ...base, expiresAt: 1.5 },
      { ...base, expiresAt: 2 ** 48 },
      { ...base, mfa: { serialNumber: "x", authenticatedAt: Number.NaN } },
    ]) {
      expect(() => encodeClaims(bad)).toThrow(TypeError);
    }
  });

  it("rejects every truncation, trailing byte and foreign version with MalformedClaims", () => {
    const bytes = encodeClaims(base);
    for (let n = 0; n < bytes.length; n++) expect(() => decodeClaims(bytes.subarray(0, n))).toThrow(MalformedClaims);
    expect(() => decodeClaims(Buffer.concat([bytes, Buffer.of(0)]))).toThrow(MalformedClaims);
    expect(() => decodeClaims(Buffer.concat([Buffer.of(2), bytes.subarray(1)]))).toThrow(MalformedClaims);
  });

  it("rejects non-canonical spellings: padding bits, the long form of an in-account ARN, bad UTF-8", () => {
    const root = encodeClaims({ ...base, principal: { type: "root" }, mfa: null });
    // The user id is the one 17-character base32 field, its last byte has 3 spare bits.
    const user = encodeClaims(base);
    const userIdEnd = 1 + 10 + 30 + 5 + 1 + 11;
    const spare = Buffer.from(user);
    spare[userIdEnd - 1] = spare[userIdEnd - 1]! | 1;
    expect(() => decodeClaims(spare)).toThrow(MalformedClaims);

    const mfaAt = 1 + 10 + 30 + 5 + 1;
    const long = Buffer.from("arn:aws:iam::000000000042:mfa/alice");
    const longForm = Buffer.concat([
      root.subarray(0, mfaAt),
      Buffer.of(1, 0, long.length),
      long,
      Buffer.alloc(6),
      root.subarray(mfaAt + 1),
    ]);
    expect(() => decodeClaims(longForm)).toThrow(MalformedClaims);
    const badUtf8 = Buffer.of(1, 0, 2, 0xc3, 0x28);
    const hardware = Buffer.concat([root.subarray(0, mfaAt), badUtf8, Buffer.alloc(6), root.subarray(mfaAt + 1)]);
    expect(() => decodeClaims(hardware)).toThrow(MalformedClaims);
    hardware.set([0xc3, 0xa9], mfaAt + 3); // "é": the same bytes made valid
    expect(decodeClaims(hardware).mfa).toEqual({ serialNumber: "é", authenticatedAt: 0 });
  });

  it("rejects an account id beyond 12 digits and unknown principal or MFA types", () => {
    const bytes = encodeClaims({ ...base, principal: { type: "root" }, mfa: null });
    const account = Buffer.from(bytes);
    account.writeUIntBE(1_000_000_000_000, 41, 5);
    expect(() => decodeClaims(account)).toThrow(MalformedClaims);
    for (const at of [46, 47]) {
      const other = Buffer.from(bytes);
      other[at] = 7;
      expect(() => decodeClaims(other)).toThrow(MalformedClaims);
    }
  });

  it("throws nothing but MalformedClaims for arbitrary bytes", () => {
    const valid = encodeClaims(base);
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // Mostly-valid input reaches deeper into the decoder than random bytes do.
      fc
        .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
        .map(([at, patch]) => {
          const copy = Buffer.from(valid);
          copy.set(patch.subarray(0, copy.length - at), at);
          return copy;
        }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          decodeClaims(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedClaims);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
