/**
 * Session tokens: claims sealed with AES-256-GCM under the key ring's current key.
 *
 *   version(1) | keyId(4, uint32 BE) | iv(12) | ciphertext | tag(16)   → standard base64
 *
 * The version and key id travel in clear to pick the key and are bound as associated data, so
 * neither can be changed without the tag failing. `openToken` has one failure path: whatever is
 * wrong (bad base64, wrong version, unknown key, truncation, tampering, malformed claims) the
 * answer is `undefined`, which the caller turns into InvalidClientTokenId. Expiry is not checked
 * here: an expired token is a different AWS answer (ExpiredToken), see `isExpired`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeClaims, encodeClaims, type SessionClaims } from "./claims.js";
import type { KeyRing } from "./key-ring.js";

const TOKEN_VERSION = 1;
const HEADER_BYTES = 5;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Longer input is refused before decoding. AWS documents its own tokens as typically under
 * 4096 characters. A GetSessionToken token is far shorter; AssumeRole's carry session policies
 * and tags, and AssumeRole refuses to issue one longer than this (sts/assume-role.ts).
 */
export const MAX_TOKEN_CHARS = 4096;

/** Throws TypeError for claims outside their formats, Error when no key is active at `now`. */
export function sealToken(claims: SessionClaims, ring: KeyRing, now: number): string {
  const key = ring.current(now);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(TOKEN_VERSION, 0);
  header.writeUInt32BE(key.id, 1);
  // Straight from the CSPRNG, not the injectable Random: one repeated GCM IV under a key lets
  // anyone forge tokens under it, so this is no place for a test double.
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(encodeClaims(claims)), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]).toString("base64");
}

/** The claims, or undefined for any token this ring did not seal. Never throws. */
export function openToken(token: string, ring: KeyRing): SessionClaims | undefined {
  try {
    return open(token, ring);
  } catch {
    return undefined;
  }
}

function open(token: string, ring: KeyRing): SessionClaims | undefined {
  if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) return undefined;
  const raw = Buffer.from(token, "base64");
  // Node's decoder skips junk and accepts the URL alphabet; only the canonical spelling opens.
  if (raw.toString("base64") !== token) return undefined;
  if (raw.length <= HEADER_BYTES + IV_BYTES + TAG_BYTES) return undefined;
  if (raw.readUInt8(0) !== TOKEN_VERSION) return undefined;
  const key = ring.find(raw.readUInt32BE(1));
  if (key === undefined) return undefined;

  const decipher = createDecipheriv("aes-256-gcm", key.key, raw.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(raw.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  const plaintext = Buffer.concat([
    decipher.update(raw.subarray(HEADER_BYTES + IV_BYTES, raw.length - TAG_BYTES)),
    decipher.final(), // throws when the tag does not match
  ]);
  return decodeClaims(plaintext);
}

/**
 * The id of the key a token names in its clear header, without opening it; undefined when the
 * token is not shaped like ours. Lets a server that does not know the key reload its ring first.
 */
export function tokenKeyId(token: string): number | undefined {
  if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) return undefined;
  const head = Buffer.from(token.slice(0, 8), "base64"); // 8 characters → 6 bytes ⊇ the header
  if (head.length < HEADER_BYTES || head.readUInt8(0) !== TOKEN_VERSION) return undefined;
  return head.readUInt32BE(1);
}

/** AWS treats a token as expired from its Expiration instant on. */
export const isExpired = (claims: SessionClaims, now: number): boolean => now >= claims.expiresAt;
