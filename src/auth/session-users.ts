/**
 * The user or role behind a session, looked up on every request (a deleted user's or role's
 * sessions must stop), but at most once a second per principal and process: the lookup was ~13 %
 * of a session request.
 * Deleting or renaming a user in this process forgets them at once, and so do the other workers
 * of the same `serve --workers` before the call answers (auth/principal-caches.ts); a separate
 * process sharing the store may go on seeing them for up to USER_TTL_MS (the bound stated in README).
 */
import type { Role, Store, User } from "../store/store.js";
import { LruCachesBy, type LruCache } from "../lru-cache.js";

export const USER_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: User | Role;
  at: number;
}

const caches = new LruCachesBy<Store, string, Entry>(MAX_ENTRIES);
const cacheOf = (store: Store): LruCache<string, Entry> => caches.of(store);

async function remembered<T extends User | Role>(store: Store, key: string, now: number, read: () => Promise<T | undefined>): Promise<T | undefined> {
  const cache = cacheOf(store);
  const hit = cache.get(key);
  if (hit && now - hit.at >= 0 && now - hit.at < USER_TTL_MS) return hit.principal as T;
  const principal = await read();
  // Only principals that exist are kept: an unknown one is asked for again (and refused) each time.
  if (principal) cache.set(key, { principal, at: now });
  else cache.delete(key);
  return principal;
}

export function sessionUser(store: Store, accountId: string, userId: string, now: number): Promise<User | undefined> {
  return remembered(store, `${accountId}/${userId}`, now, () => store.getUserById(accountId, userId));
}

/**
 * The role of a role session, by the role id the token carries: a role deleted and created again
 * under the same name is another role, and the old one's sessions stay stopped.
 */
export async function sessionRole(store: Store, accountId: string, roleName: string, roleId: string, now: number): Promise<Role | undefined> {
  const role = await remembered(store, `${accountId}/role/${roleName.toLowerCase()}`, now, () => store.getRole(accountId, roleName));
  return role?.roleId === roleId ? role : undefined;
}

/** Drops this process's entries (auth/principal-caches.ts decides when). */
export function dropSessionUsers(store: Store): void {
  caches.forget(store);
}
