import { createHmac } from "node:crypto";
import { sha256Hex } from "./canonical.js";
import type { SigV4Auth } from "./types.js";
import { ALGORITHM, KEY_TYPE_IDENTIFIER, SIGNING_KEY_CACHE_SIZE } from "./constants.js";
import { wireBytes } from "./uri.js";
import { LruCache } from "../lru-cache.js";

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
  return [ALGORITHM, auth.amzDate, credentialScope(auth), sha256Hex(canonicalRequest)].join("\n");
}

function hmac(key: Uint8Array, data: string): Buffer {
  return createHmac("sha256", key).update(wireBytes(data)).digest();
}

/*
 * Signing-key cache. Deriving a key costs four HMACs and the result is the same for a whole
 * day, so every request from a given key and scope after the first reuses it. LRU, bounded.
 *
 * Entries are keyed by access key id and credential scope and remember the secret they were
 * derived from, compared by value on every hit: a different secret under the same id (a token
 * of another session, a test) never gets another's key. An earlier version keyed entries by a
 * salted HMAC of the secret; that extra HMAC and its key string cost as much as the cache saved.
 * The cache lives only in memory and is never logged; the signing keys it holds are as
 * sensitive as the secrets for that day anyway.
 */
interface CachedKey {
  secret: string;
  key: Buffer;
}
const cache = new LruCache<string, CachedKey>(SIGNING_KEY_CACHE_SIZE);

/** The cached signing key itself; internal callers must not mutate it. */
function cachedSigningKey(accessKeyId: string, secret: string, scopeDate: string, region: string, service: string): Buffer {
  // NUL cannot occur in a header-borne credential, so the fields stay apart.
  const id = `${accessKeyId}\0${scopeDate}\0${region}\0${service}`;
  const hit = cache.get(id);
  if (hit !== undefined && hit.secret === secret) return hit.key;
  const kDate = hmac(Buffer.from(`AWS4${secret}`, "utf8"), scopeDate);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, KEY_TYPE_IDENTIFIER);
  cache.set(id, { secret, key: kSigning });
  return kSigning;
}

/** The SigV4 signing key for a secret and credential scope (a copy; cached internally). */
export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  return Buffer.from(cachedSigningKey("", secret, scopeDate, region, service));
}

/** The signature (64 lower-case hex characters) the holder of `secret` would have sent. */
export function computeSignature(secret: string, auth: SigV4Auth, toSign: string): string {
  const key = cachedSigningKey(auth.accessKeyId, secret, auth.scopeDate, auth.region, auth.service);
  return createHmac("sha256", key).update(wireBytes(toSign)).digest("hex");
}

/** Number of cached signing keys (for tests of the bound). */
export function signingKeyCacheSize(): number {
  return cache.size;
}
