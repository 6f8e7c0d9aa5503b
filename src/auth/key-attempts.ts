/**
 * Attempt limits for long-term access keys (issue 16): bad signatures are counted per access key
 * id, and a locked key is refused — every request signed with it, whatever the signature — until
 * the lock ends. Only keys that exist are counted (an unknown key id has nothing to guess, and
 * made-up ids must not fill the store), and only signature failures (not a stale X-Amz-Date).
 *
 * The hot path stays cheap: a successful request reads the key's record through a cache (at
 * most once a second per key and process, as auth/session-users.ts does for principals) and
 * writes nothing unless failures are to be reset. A failure always goes to the store, so the
 * count is exact across processes; a lock another process began is seen here within a second.
 * A lock seen stays seen until it ends (it cannot be lifted early): refusals cost no store access.
 */
import type { Deps } from "../deps.js";
import { countFailure, forgetFailures } from "../lockout/failures.js";
import { attemptSubject, isLocked } from "../lockout/limits.js";
import { LruCachesBy, type LruCache } from "../lru-cache.js";
import type { AccessKey, AttemptRecord, Store } from "../store/store.js";

export const KEY_ATTEMPTS_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

interface Entry {
  record: AttemptRecord | undefined;
  at: number;
}

const caches = new LruCachesBy<Store, string, Entry>(MAX_ENTRIES);
const cacheOf = (store: Store): LruCache<string, Entry> => caches.of(store);

/** The key's attempt record, from this process's cache when fresh (or locked), else the store. */
export async function keyAttempts(store: Store, accessKeyId: string, now: number): Promise<AttemptRecord | undefined> {
  const cache = cacheOf(store);
  const hit = cache.get(accessKeyId);
  if (hit && (isLocked(hit.record, now) || (now - hit.at >= 0 && now - hit.at < KEY_ATTEMPTS_TTL_MS))) return hit.record;
  const record = await store.getAttempts(attemptSubject("access-key", accessKeyId));
  cache.set(accessKeyId, { record, at: now });
  return record;
}

/** Where the request with the bad signature came from, for the lockout event. */
export interface SignatureOrigin {
  readonly service: string;
  readonly region: string;
  readonly sourceIp: string | undefined;
}

/**
 * Counts a bad signature. True when the key was locked already (another process began the lock
 * since this one read it): the request is then refused as locked, and not counted.
 */
export async function countBadSignature(deps: Pick<Deps, "store" | "events">, key: AccessKey, origin: SignatureOrigin, now: number): Promise<boolean> {
  const result = await countFailure(
    deps,
    {
      kind: "access-key",
      accountId: key.accountId,
      subject: key.accessKeyId,
      userName: key.userName,
      service: origin.service,
      region: origin.region,
      sourceIp: origin.sourceIp,
    },
    now,
  );
  const record: AttemptRecord =
    result.outcome === "counted" ? { failures: result.failures, lockedUntil: null } : { failures: 0, lockedUntil: result.lockedUntil };
  cacheOf(deps.store).set(key.accessKeyId, { record, at: now });
  // The failure that locks the key is still answered as the bad signature it was; the next request is refused.
  return result.outcome === "already-locked";
}

/** After a good signature: resets the key's count when it had failures (the only write on this path). */
export async function forgetBadSignatures(deps: Pick<Deps, "store">, accessKeyId: string, record: AttemptRecord | undefined, now: number): Promise<void> {
  if (await forgetFailures(deps, "access-key", accessKeyId, record, now)) cacheOf(deps.store).set(accessKeyId, { record: undefined, at: now });
}
