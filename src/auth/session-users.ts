/**
 * The user behind a session, looked up on every request (a deleted user's sessions must stop),
 * but at most once a second per user and process: the lookup was ~13 % of a session request.
 * Deleting or renaming a user in this process forgets them at once, and so do the other workers
 * of the same `serve --workers` before the call answers (auth/principal-caches.ts); a separate
 * process sharing the store may go on seeing them for up to USER_TTL_MS (the bound stated in README).
 */
import type { Store, User } from "../store/store.js";
import { LruCache } from "../lru-cache.js";

export const USER_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

interface Entry {
  user: User;
  at: number;
}

const caches = new WeakMap<Store, LruCache<string, Entry>>();

function cacheOf(store: Store): LruCache<string, Entry> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new LruCache(MAX_ENTRIES);
    caches.set(store, cache);
  }
  return cache;
}

export async function sessionUser(store: Store, accountId: string, userId: string, now: number): Promise<User | undefined> {
  const cache = cacheOf(store);
  const key = `${accountId}/${userId}`;
  const hit = cache.get(key);
  if (hit && now - hit.at >= 0 && now - hit.at < USER_TTL_MS) return hit.user;
  const user = await store.getUserById(accountId, userId);
  // Only users that exist are kept: an unknown one is asked for again (and refused) each time.
  if (user) cache.set(key, { user, at: now });
  else cache.delete(key);
  return user;
}

/** Drops this process's entries (auth/principal-caches.ts decides when). */
export function dropSessionUsers(store: Store): void {
  caches.delete(store);
}
