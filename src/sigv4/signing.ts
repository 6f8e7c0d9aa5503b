import { createHash, createHmac, randomBytes } from "node:crypto";
import type { SigV4Auth } from "./types.js";
import { ALGORITHM, KEY_TYPE_IDENTIFIER, SIGNING_KEY_CACHE_SIZE } from "./constants.js";
import { wireBytes } from "./uri.js";

/* Tasks 2 and 3 of SigV4: the string to sign, the signing key, the signature. */

/** `<date>/<region>/<service>/aws4_request`, from the request's own credential. */
export function credentialScope(auth: SigV4Auth): string {
  return `${auth.scopeDate}/${auth.region}/${auth.service}/${KEY_TYPE_IDENTIFIER}`;
}

/**
 * The string to sign. It uses the request's X-Amz-Date and credential scope as sent: the
 * client signed those, and whether they are acceptable is checked elsewhere (time.ts).
 */
export function stringToSign(auth: SigV4Auth, canonicalRequest: string): string {
  const hash = createHash("sha256").update(wireBytes(canonicalRequest)).digest("hex");
  return [ALGORITHM, auth.amzDate, credentialScope(auth), hash].join("\n");
}

function hmac(key: Uint8Array, data: string): Buffer {
  return createHmac("sha256", key).update(wireBytes(data)).digest();
}

/*
 * Signing-key cache. Deriving a key costs four HMACs and the result is the same for a whole
 * day, so every request from a given key and scope after the first reuses it. LRU, bounded.
 *
 * The secret never appears in a cache key: keys hold an HMAC of the secret under a random
 * per-process salt, so a logged or dumped key neither shows the secret nor lets anyone test
 * guesses against it offline.
 */
const cache = new Map<string, Buffer>();
const CACHE_SALT = randomBytes(32);

function cacheKey(secret: string, scopeDate: string, region: string, service: string): string {
  const secretId = createHmac("sha256", CACHE_SALT).update(secret, "utf8").digest("base64");
  // JSON keeps the fields apart whatever characters region or service contain.
  return JSON.stringify([secretId, scopeDate, region, service]);
}

/** The cached signing key itself; internal callers must not mutate it. */
function cachedSigningKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  const key = cacheKey(secret, scopeDate, region, service);
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Re-insert to mark it most recently used (a Map iterates in insertion order).
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const kDate = hmac(Buffer.from(`AWS4${secret}`, "utf8"), scopeDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, KEY_TYPE_IDENTIFIER);
  cache.set(key, kSigning);
  if (cache.size > SIGNING_KEY_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return kSigning;
}

/** The SigV4 signing key for a secret and credential scope (a copy; cached internally). */
export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  return Buffer.from(cachedSigningKey(secret, scopeDate, region, service));
}

/** The signature (64 lower-case hex characters) the holder of `secret` would have sent. */
export function computeSignature(secret: string, auth: SigV4Auth, toSign: string): string {
  const key = cachedSigningKey(secret, auth.scopeDate, auth.region, auth.service);
  return createHmac("sha256", key).update(wireBytes(toSign)).digest("hex");
}

/** Number of cached signing keys (for tests of the bound). */
export function signingKeyCacheSize(): number {
  return cache.size;
}
