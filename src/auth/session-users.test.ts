import { describe, expect, it } from "vitest";
import type { Store, User } from "../store/store.js";
import { forgetPrincipals } from "./principal-caches.js";
import { sessionUser, USER_TTL_MS } from "./session-users.js";

const alice: User = { accountId: "123456789012", userId: "AIDAAAAAAAAAAAAAAAAAA", userName: "alice", path: "/", createdAt: new Date(0) };

function countingStore(user: User | undefined): { store: Store; reads: () => number; set: (u: User | undefined) => void } {
  let current = user;
  let reads = 0;
  const store = {
    getUserById: async () => {
      reads++;
      return current;
    },
  } as unknown as Store;
  return { store, reads: () => reads, set: (u) => (current = u) };
}

describe("sessionUser", () => {
  it("reads a user at most once per second, then again", async () => {
    const { store, reads, set } = countingStore(alice);
    expect(await sessionUser(store, alice.accountId, alice.userId, 1000)).toEqual(alice);
    expect(await sessionUser(store, alice.accountId, alice.userId, 1000 + USER_TTL_MS - 1)).toEqual(alice);
    expect(reads()).toBe(1);
    set(undefined); // deleted through another process
    expect(await sessionUser(store, alice.accountId, alice.userId, 1000 + USER_TTL_MS)).toBeUndefined();
    expect(reads()).toBe(2);
  });

  it("forgets at once when this process deletes or renames a user; never remembers an unknown one", async () => {
    const { store, reads, set } = countingStore(alice);
    await sessionUser(store, alice.accountId, alice.userId, 0);
    set(undefined);
    await forgetPrincipals(store);
    expect(await sessionUser(store, alice.accountId, alice.userId, 1)).toBeUndefined();
    expect(await sessionUser(store, alice.accountId, alice.userId, 2)).toBeUndefined();
    expect(reads()).toBe(3);
  });

  it("a lookup still waiting on the store when the user is forgotten does not put the old user back", async () => {
    let release: (u: User) => void = () => {};
    let reads = 0;
    const store = {
      getUserById: () => {
        reads++;
        return reads === 1 ? new Promise<User>((resolve) => (release = resolve)) : Promise.resolve(undefined);
      },
    } as unknown as Store;
    const inFlight = sessionUser(store, alice.accountId, alice.userId, 0);
    await forgetPrincipals(store); // deleted while that read was on its way
    release(alice);
    expect(await inFlight).toEqual(alice); // that request started before the delete
    expect(await sessionUser(store, alice.accountId, alice.userId, 1)).toBeUndefined();
    expect(reads).toBe(2);
  });

  it("a clock stepped back does not extend an entry", async () => {
    const { store, reads } = countingStore(alice);
    await sessionUser(store, alice.accountId, alice.userId, 5000);
    await sessionUser(store, alice.accountId, alice.userId, 4000);
    expect(reads()).toBe(2);
  });
});
