import { createCipheriv, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeClaims, type SessionClaims } from "./claims.js";
import { KeyRing, MAX_SESSION_LIFETIME_MS, type TokenKey } from "./key-ring.js";
import { isExpired, openToken, sealToken } from "./seal.js";

const HOUR = 3_600_000;
const NOW = 1_726_302_305_611;
const cryptoRandom = { bytes: randomBytes };
const keyA: TokenKey = { id: 0x0a0a0a0a, key: randomBytes(32), createdAt: NOW - HOUR };
const keyB: TokenKey = { id: 0x0b0b0b0b, key: randomBytes(32), createdAt: NOW - HOUR };
const ringA = new KeyRing([keyA]);

const claims: SessionClaims = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  accountId: "123456789012",
  principal: { type: "user", userId: "AIDAJQABLZS4A3QDU576Q", userName: "alice" },
  mfa: { serialNumber: "arn:aws:iam::123456789012:mfa/alice", authenticatedAt: NOW },
  issuedAt: NOW,
  expiresAt: NOW + 12 * HOUR,
  sourceAccessKeyId: "AKIAI44QH7DHBEXAMPLE",
};

/** The largest realistic claim set: IAM's longest user name, the longest MFA serial. */
const largest = (serialNumber: string): SessionClaims => ({
  ...claims,
  principal: { type: "user", userId: "AIDAJQABLZS4A3QDU576Q", userName: "u".repeat(64) },
  mfa: { serialNumber, authenticatedAt: NOW },
  expiresAt: NOW + MAX_SESSION_LIFETIME_MS,
});

const bytesOf = (token: string) => Buffer.from(token, "base64");
const tokenOf = (bytes: Buffer) => bytes.toString("base64");

describe("sealToken / openToken", () => {
  it("round-trips users, root, unicode names and null MFA", () => {
    for (const c of [
      claims,
      { ...claims, principal: { type: "root" as const }, mfa: null },
      { ...claims, principal: { type: "user" as const, userId: "AIDAJQABLZS4A3QDU576Q", userName: "Zoë-山田-🙂" } },
      { ...claims, mfa: null },
      { ...claims, mfa: { serialNumber: "GAHT12345678", authenticatedAt: NOW - 5000 } },
    ]) {
      expect(openToken(sealToken(c, ringA, NOW), ringA)).toEqual(c);
    }
  });

  it("writes version 1, the key id, a fresh IV and a 16-byte tag in standard base64", () => {
    const one = bytesOf(sealToken(claims, ringA, NOW));
    const two = bytesOf(sealToken(claims, ringA, NOW));
    expect(one[0]).toBe(1);
    expect(one.readUInt32BE(1)).toBe(keyA.id);
    expect(one.subarray(5, 17)).not.toEqual(two.subarray(5, 17));
    expect(sealToken(claims, ringA, NOW)).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });

  it("stays small: well under 600 characters for the largest realistic claims", () => {
    const typical = sealToken(claims, ringA, NOW).length;
    const virtualDevice = sealToken(largest(`arn:aws:iam::123456789012:mfa/${"d".repeat(226)}`), ringA, NOW).length;
    const hardware = sealToken(largest("G".repeat(256)), ringA, NOW).length;
    expect(typical).toBeLessThan(200);
    expect(virtualDevice).toBeLessThan(600);
    expect(hardware).toBeLessThan(600);
  });

  it("fails to open after any single bit flip anywhere in the token", () => {
    const raw = bytesOf(sealToken(claims, ringA, NOW));
    for (let at = 0; at < raw.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(raw);
        flipped[at] = flipped[at]! ^ (1 << bit);
        expect(openToken(tokenOf(flipped), ringA), `byte ${at} bit ${bit}`).toBeUndefined();
      }
    }
  });

  it("fails to open at every truncation, of the bytes and of the text", () => {
    const token = sealToken(claims, ringA, NOW);
    const raw = bytesOf(token);
    for (let n = 0; n < raw.length; n++) expect(openToken(tokenOf(raw.subarray(0, n)), ringA)).toBeUndefined();
    for (let n = 0; n < token.length; n++) expect(openToken(token.slice(0, n), ringA)).toBeUndefined();
    expect(openToken(tokenOf(Buffer.concat([raw, Buffer.of(0)])), ringA)).toBeUndefined();
  });

  it("only opens the canonical spelling: no URL alphabet, whitespace or missing padding", () => {
    let token = sealToken(claims, ringA, NOW);
    while (!/[+/]/.test(token) || !token.endsWith("=")) token = sealToken(claims, ringA, NOW);
    expect(openToken(token, ringA)).toEqual(claims);
    expect(openToken(token.replaceAll("+", "-").replaceAll("/", "_"), ringA)).toBeUndefined();
    expect(openToken(`${token.slice(0, 10)}\n${token.slice(10)}`, ringA)).toBeUndefined();
    expect(openToken(` ${token}`, ringA)).toBeUndefined();
    expect(openToken(token.replace(/=+$/, ""), ringA)).toBeUndefined();
  });

  it("does not open under a ring without the sealing key, even one reusing its id", () => {
    const token = sealToken(claims, ringA, NOW);
    expect(openToken(token, new KeyRing([keyB]))).toBeUndefined();
    expect(openToken(token, new KeyRing())).toBeUndefined();
    expect(openToken(token, new KeyRing([{ ...keyB, id: keyA.id }]))).toBeUndefined();
    // Pointing the header at another key in the ring does not help either.
    const raw = bytesOf(token);
    raw.writeUInt32BE(keyB.id, 1);
    expect(openToken(tokenOf(raw), new KeyRing([keyA, keyB]))).toBeUndefined();
  });

  it("after rotation seals with the new key and still opens tokens of the old one", () => {
    const before = sealToken(claims, ringA, NOW);
    const fresh = ringA.rotate(NOW + HOUR, cryptoRandom);
    const rotated = ringA.add(fresh);
    const after = sealToken(claims, rotated, NOW + HOUR);
    expect(bytesOf(after).readUInt32BE(1)).toBe(fresh.id);
    expect(openToken(after, rotated)).toEqual(claims);
    expect(openToken(before, rotated)).toEqual(claims);
    expect(openToken(after, ringA)).toBeUndefined();
    // Until the old key is pruned, 36 h after the new one took over.
    expect(openToken(before, rotated.prune(NOW + HOUR + MAX_SESSION_LIFETIME_MS))).toEqual(claims);
    expect(openToken(before, rotated.prune(NOW + HOUR + MAX_SESSION_LIFETIME_MS + 1))).toBeUndefined();
  });

  it("refuses a token of another version even when properly sealed for it", () => {
    expect(openToken(sealRaw(1, keyA, encodeClaims(claims)), ringA)).toEqual(claims);
    expect(openToken(sealRaw(2, keyA, encodeClaims(claims)), ringA)).toBeUndefined();
    expect(openToken(sealRaw(0, keyA, encodeClaims(claims)), ringA)).toBeUndefined();
  });

  it("binds version and key id as associated data: ciphertext sealed under another header fails", () => {
    const otherHeader = Buffer.from([1, 0, 0, 0, 0]);
    expect(openToken(sealRaw(1, keyA, encodeClaims(claims), otherHeader), ringA)).toBeUndefined();
    expect(openToken(sealRaw(1, keyA, encodeClaims(claims), Buffer.alloc(0)), ringA)).toBeUndefined();
  });

  it("refuses authentic ciphertext whose plaintext is not claims", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (plaintext) => {
        expect(openToken(sealRaw(1, keyA, Buffer.from(plaintext)), ringA)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it("never throws and returns undefined for arbitrary input", () => {
    const keyIdAndGarbage = fc
      .tuple(fc.constantFrom(keyA.id, keyB.id, 0), fc.uint8Array({ maxLength: 300 }))
      .map(([id, rest]) => {
        const header = Buffer.alloc(5);
        header[0] = 1;
        header.writeUInt32BE(id, 1);
        return tokenOf(Buffer.concat([header, rest]));
      });
    const inputs = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary", maxLength: 600 }),
      fc.base64String({ maxLength: 800 }),
      fc.uint8Array({ maxLength: 600 }).map((b) => tokenOf(Buffer.from(b))),
      keyIdAndGarbage,
    );
    const ring = new KeyRing([keyA, keyB]);
    fc.assert(fc.property(inputs, (input) => {
        expect(openToken(input, ring)).toBeUndefined();
      }), { numRuns: 3000 });
    for (const odd of [undefined, null, 42, {}, [], "A".repeat(100_000)]) {
      expect(openToken(odd as unknown as string, ring)).toBeUndefined();
    }
  });

  it("leaves expiry to the caller: an expired token still opens, isExpired tells", () => {
    const token = sealToken(claims, ringA, NOW);
    expect(openToken(token, ringA)).toEqual(claims);
    expect(isExpired(claims, claims.expiresAt - 1)).toBe(false);
    expect(isExpired(claims, claims.expiresAt)).toBe(true);
  });

  it("refuses to seal without an active key", () => {
    expect(() => sealToken(claims, new KeyRing(), NOW)).toThrow();
    expect(() => sealToken(claims, new KeyRing([{ ...keyA, createdAt: NOW + 1 }]), NOW)).toThrow();
  });
});

/** A token laid out like ours around any plaintext, to reach the checks behind the tag. */
function sealRaw(version: number, key: TokenKey, plaintext: Buffer, aad?: Buffer): string {
  const header = Buffer.alloc(5);
  header[0] = version;
  header.writeUInt32BE(key.id, 1);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(aad ?? header);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return tokenOf(Buffer.concat([header, iv, body, cipher.getAuthTag()]));
}
