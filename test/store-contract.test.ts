/**
 * One contract for every Store backend (the embedded SQLite store now; PostgreSQL joins the
 * list in its own issue). Conditional writes are checked under concurrency, not just in turn.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../src/store/sqlite.js";
import type { AccessKey, Store, User } from "../src/store/store.js";
import { tempDir } from "./helpers/server.js";

const backends: { name: string; open: () => Promise<Store> }[] = [
  { name: "sqlite", open: async () => new SqliteStore(join(tempDir(), "test.db")) },
];

const ACCOUNT = "123456789012";
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const user = (name: string, path = "/", id = `AIDA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`): User => ({
  accountId: ACCOUNT,
  userId: id,
  userName: name,
  path,
  createdAt: at(1),
});
const key = (id: string, userName: string | null): AccessKey => ({
  accessKeyId: id,
  accountId: ACCOUNT,
  userName,
  sealedSecret: `sealed-${id}`,
  status: "Active",
  createdAt: at(2),
  lastUsed: null,
});

describe.each(backends)("Store contract: $name", ({ open }) => {
  let store: Store;
  afterEach(async () => store?.close());

  async function fresh(): Promise<Store> {
    store = await open();
    await store.createAccount({ id: ACCOUNT, createdAt: at(0) });
    return store;
  }

  it("accounts", async () => {
    const s = await fresh();
    expect(await s.listAccounts()).toEqual([{ id: ACCOUNT, createdAt: at(0) }]);
  });

  it("users: case-insensitive names, conflicts, listing by path with pages, rename, delete", async () => {
    const s = await fresh();
    expect(await s.createUser(user("alice", "/a/"))).toBe("created");
    expect(await s.createUser(user("ALICE", "/", "AIDAOTHERXXXXXXXXXX"))).toBe("exists");
    expect(await s.getUser(ACCOUNT, "Alice")).toEqual(user("alice", "/a/"));
    expect(await s.getUser("999999999999", "alice")).toBeUndefined();
    for (const n of ["bob", "Carol", "dave"]) await s.createUser(user(n));

    const first = await s.listUsers(ACCOUNT, { pathPrefix: "/", limit: 2 });
    expect(first.items.map((u) => u.userName)).toEqual(["alice", "bob"]);
    const second = await s.listUsers(ACCOUNT, { pathPrefix: "/", limit: 2, after: first.next });
    expect(second.items.map((u) => u.userName)).toEqual(["Carol", "dave"]);
    expect(second.next).toBeUndefined();
    expect((await s.listUsers(ACCOUNT, { pathPrefix: "/a/", limit: 10 })).items.map((u) => u.userName)).toEqual(["alice"]);

    expect(await s.updateUser(ACCOUNT, "bob", { newUserName: "carol" })).toBe("exists");
    expect(await s.updateUser(ACCOUNT, "nobody", { newPath: "/x/" })).toBe("not-found");
    expect(await s.updateUser(ACCOUNT, "bob", { newUserName: "robert", newPath: "/r/" })).toBe("updated");
    expect(await s.getUser(ACCOUNT, "robert")).toMatchObject({ userName: "robert", path: "/r/", userId: user("bob").userId });

    expect(await s.deleteUser(ACCOUNT, "nobody")).toBe("not-found");
    expect(await s.deleteUser(ACCOUNT, "robert")).toBe("deleted");
    expect(await s.getUser(ACCOUNT, "robert")).toBeUndefined();
  });

  it("access keys: quota, owner checks, status, last use, follow a renamed user, block deletion", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    expect(await s.createAccessKey(key("AKIA0000000000000001", "alice"), 2)).toBe("created");
    expect(await s.createAccessKey(key("AKIA0000000000000002", "ALICE"), 2)).toBe("created");
    expect(await s.createAccessKey(key("AKIA0000000000000003", "alice"), 2)).toBe("quota");
    expect(await s.createAccessKey(key("AKIA0000000000000004", "nobody"), 2)).toBe("no-user");
    expect(await s.createAccessKey(key("AKIA0000000000000005", null), 2)).toBe("created");

    expect(await s.getAccessKey("AKIA0000000000000001")).toEqual(key("AKIA0000000000000001", "alice"));
    expect(await s.getAccessKey("AKIA0000000000000005")).toEqual(key("AKIA0000000000000005", null));
    expect((await s.listAccessKeys(ACCOUNT, null)).map((k) => k.accessKeyId)).toEqual(["AKIA0000000000000005"]);

    expect(await s.updateAccessKeyStatus(ACCOUNT, null, "AKIA0000000000000001", "Inactive")).toBe(false);
    expect(await s.updateAccessKeyStatus(ACCOUNT, "alice", "AKIA0000000000000001", "Inactive")).toBe(true);
    expect((await s.getAccessKey("AKIA0000000000000001"))!.status).toBe("Inactive");

    await s.recordAccessKeyUse("AKIA0000000000000002", { date: at(9), region: "eu-west-1", service: "sts" });
    expect((await s.getAccessKey("AKIA0000000000000002"))!.lastUsed).toEqual({ date: at(9), region: "eu-west-1", service: "sts" });

    await s.updateUser(ACCOUNT, "alice", { newUserName: "alicia" });
    expect((await s.getAccessKey("AKIA0000000000000002"))!.userName).toBe("alicia");
    expect(await s.deleteUser(ACCOUNT, "alicia")).toBe("has-access-keys");
    expect(await s.deleteAccessKey(ACCOUNT, "alice", "AKIA0000000000000001")).toBe(false);
    expect(await s.deleteAccessKey(ACCOUNT, "alicia", "AKIA0000000000000001")).toBe(true);
    expect(await s.deleteAccessKey(ACCOUNT, "alicia", "AKIA0000000000000002")).toBe(true);
    expect(await s.deleteUser(ACCOUNT, "alicia")).toBe("deleted");
  });

  it("the key quota holds under concurrent creation", async () => {
    const s = await fresh();
    await s.createUser(user("race"));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.createAccessKey(key(`AKIARACE00000000000${i}`, "race"), 2)),
    );
    expect(results.filter((r) => r === "created")).toHaveLength(2);
    expect(await s.listAccessKeys(ACCOUNT, "race")).toHaveLength(2);
  });
});
