/**
 * One contract for every Store backend: the embedded SQLite store and PostgreSQL (a fresh
 * database per store, dropped when the file is done; MFA_STS_TEST_PG names the server, and
 * these tests fail rather than skip when it cannot be reached). Conditional writes are checked under concurrency, not just in turn:
 * users, access keys, MFA devices (enable/resync/deactivate/delete and the acceptMfaStep
 * compare-and-set that guards against replays), and the session-token key ring.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PostgresStore } from "../src/store/postgres.js";
import { SqliteStore } from "../src/store/sqlite.js";
import type { AccessKey, MfaDevice, Store, User } from "../src/store/store.js";
import { tempDir } from "./helpers/server.js";
import { ACCOUNT, at, hardware, key, serial, user, virtual } from "./helpers/store-fixtures.js";

/** A database on the server to create the test databases from (trust auth, a superuser). */
const PG_ADMIN_URL = process.env.MFA_STS_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const createdDatabases: string[] = [];

/** A fresh, empty database; its URL. Every one made is dropped in afterAll, pass or fail. */
async function freshPostgresDatabase(): Promise<string> {
  const name = `mfa_sts_test_${process.pid}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    createdDatabases.push(name);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  if (createdDatabases.length === 0) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  const failures: unknown[] = [];
  // FORCE terminates whatever is still connected (a store a failed test left open).
  for (const name of createdDatabases.splice(0)) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e: unknown) => failures.push(e));
  }
  await admin.end();
  if (failures.length > 0) throw failures[0];
});

const backends: { name: string; open: () => Promise<Store> }[] = [
  { name: "sqlite", open: async () => new SqliteStore(join(tempDir(), "test.db")) },
  { name: "postgres", open: async () => PostgresStore.open(await freshPostgresDatabase()) },
];

const sync = (lastStep: number, driftSteps = 0) => ({ lastStep, driftSteps });

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

  it("MFA devices: create, exists by serial and by case-insensitive virtual name, get, list per owner", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    const tags = [
      { key: "team", value: "blue" },
      { key: "Owner", value: "" },
    ];
    const alpha = virtual("alpha", { tags });
    expect(await s.createMfaDevice(alpha)).toBe("created");
    expect(await s.getMfaDevice(ACCOUNT, alpha.serialNumber)).toEqual(alpha);
    expect(await s.getMfaDevice("999999999999", alpha.serialNumber)).toBeUndefined();
    expect(await s.getMfaDevice(ACCOUNT, serial("nothing"))).toBeUndefined();

    // The serial is taken; so is the name, whatever its case and path.
    expect(await s.createMfaDevice({ ...virtual("alpha"), sealedSeed: "other" })).toBe("exists");
    expect(await s.createMfaDevice(virtual("ALPHA"))).toBe("exists");
    expect(await s.createMfaDevice(virtual("Alpha", { path: "/elsewhere/" }))).toBe("exists");
    expect((await s.getMfaDevice(ACCOUNT, alpha.serialNumber))!.sealedSeed).toBe(alpha.sealedSeed);
    expect(await s.createMfaDevice(virtual("beta", { path: "/p/" }))).toBe("created");
    expect((await s.getMfaDevice(ACCOUNT, serial("beta", "/p/")))!.path).toBe("/p/");

    // Hardware tokens come enabled for a user or for root (null).
    const aliceToken = hardware("GAHT00000002", user("alice"));
    const rootToken = hardware("GAHT00000001", null);
    expect(await s.createMfaDevice(aliceToken)).toBe("created");
    expect(await s.createMfaDevice(rootToken)).toBe("created");
    expect(await s.createMfaDevice(hardware("GAHT00000001", user("alice")))).toBe("exists");
    expect(await s.getMfaDevice(ACCOUNT, "GAHT00000002")).toEqual(aliceToken);
    expect(await s.getMfaDevice(ACCOUNT, "GAHT00000001")).toEqual(rootToken);

    expect(await s.listMfaDevices(ACCOUNT, "alice")).toEqual([aliceToken]);
    expect(await s.listMfaDevices(ACCOUNT, "ALICE")).toEqual([aliceToken]);
    expect(await s.listMfaDevices(ACCOUNT, null)).toEqual([rootToken]);
    expect(await s.listMfaDevices(ACCOUNT, "nobody")).toEqual([]);
    expect(await s.listMfaDevices("999999999999", null)).toEqual([]);

    // Enabled virtual devices join the owner's list, by serial.
    expect(await s.enableMfaDevice(ACCOUNT, alpha.serialNumber, "alice", sync(50), at(5), 8)).toBe("enabled");
    expect((await s.listMfaDevices(ACCOUNT, "alice")).map((d) => d.serialNumber)).toEqual(["GAHT00000002", alpha.serialNumber]);
    expect((await s.listMfaDevices(ACCOUNT, null)).map((d) => d.serialNumber)).toEqual(["GAHT00000001"]);
  });

  it("listVirtualMfaDevices: virtual devices only, filtered on assignment, by serial, in pages", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    for (const n of ["d", "b", "e", "a", "c"]) expect(await s.createMfaDevice(virtual(`dev-${n}`))).toBe("created");
    await s.createMfaDevice(hardware("GAHT00000001", user("alice")));
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev-b"), "alice", sync(10), at(5), 8)).toBe("enabled");
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev-d"), null, sync(10), at(6), 8)).toBe("enabled");

    const names = (page: { items: MfaDevice[] }) => page.items.map((d) => d.name);
    expect(names(await s.listVirtualMfaDevices(ACCOUNT, { limit: 100 }))).toEqual(["dev-a", "dev-b", "dev-c", "dev-d", "dev-e"]);
    expect(names(await s.listVirtualMfaDevices(ACCOUNT, { assigned: true, limit: 100 }))).toEqual(["dev-b", "dev-d"]);
    expect(names(await s.listVirtualMfaDevices(ACCOUNT, { assigned: false, limit: 100 }))).toEqual(["dev-a", "dev-c", "dev-e"]);
    expect(await s.listVirtualMfaDevices("999999999999", { limit: 100 })).toEqual({ items: [] });

    const assigned = (await s.listVirtualMfaDevices(ACCOUNT, { assigned: true, limit: 100 })).items;
    expect(assigned[0]!.assignment).toEqual({ user: user("alice"), enabledAt: at(5) });
    expect(assigned[1]!.assignment).toEqual({ user: null, enabledAt: at(6) });

    const first = await s.listVirtualMfaDevices(ACCOUNT, { limit: 2 });
    expect(names(first)).toEqual(["dev-a", "dev-b"]);
    expect(first.next).toBe(serial("dev-b"));
    const second = await s.listVirtualMfaDevices(ACCOUNT, { limit: 2, after: first.next });
    expect(names(second)).toEqual(["dev-c", "dev-d"]);
    const third = await s.listVirtualMfaDevices(ACCOUNT, { limit: 2, after: second.next });
    expect(names(third)).toEqual(["dev-e"]);
    expect(third.next).toBeUndefined();
    // Exactly a page's worth left: no further page announced.
    expect((await s.listVirtualMfaDevices(ACCOUNT, { limit: 5 })).next).toBeUndefined();

    const unassigned = await s.listVirtualMfaDevices(ACCOUNT, { assigned: false, limit: 1, after: serial("dev-a") });
    expect(names(unassigned)).toEqual(["dev-c"]);
    expect(unassigned.next).toBe(serial("dev-c"));
  });

  it("enableMfaDevice: enabled, no-user, no-device, in-use, limit, stale", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createUser(user("bob"));
    for (const n of ["one", "two", "three"]) await s.createMfaDevice(virtual(n));
    await s.createMfaDevice(virtual("used", { lastStep: 100 }));

    expect(await s.enableMfaDevice(ACCOUNT, serial("one"), "nobody", sync(10), at(5), 8)).toBe("no-user");
    expect(await s.enableMfaDevice(ACCOUNT, serial("nothing"), "alice", sync(10), at(5), 8)).toBe("no-device");
    expect(await s.enableMfaDevice("999999999999", serial("one"), null, sync(10), at(5), 8)).toBe("no-device");
    expect((await s.getMfaDevice(ACCOUNT, serial("one")))!.assignment).toBeNull();

    expect(await s.enableMfaDevice(ACCOUNT, serial("one"), "Alice", sync(10, -2), at(5), 2)).toBe("enabled");
    expect(await s.getMfaDevice(ACCOUNT, serial("one"))).toEqual(
      virtual("one", { assignment: { user: user("alice"), enabledAt: at(5) }, lastStep: 10, driftSteps: -2 }),
    );
    expect(await s.enableMfaDevice(ACCOUNT, serial("one"), "alice", sync(20), at(6), 8)).toBe("in-use");
    expect(await s.enableMfaDevice(ACCOUNT, serial("one"), "bob", sync(20), at(6), 8)).toBe("in-use");
    expect(await s.enableMfaDevice(ACCOUNT, serial("one"), null, sync(20), at(6), 8)).toBe("in-use");
    expect((await s.getMfaDevice(ACCOUNT, serial("one")))!.lastStep).toBe(10);

    expect(await s.enableMfaDevice(ACCOUNT, serial("two"), "alice", sync(10), at(6), 2)).toBe("enabled");
    expect(await s.enableMfaDevice(ACCOUNT, serial("three"), "alice", sync(10), at(6), 2)).toBe("limit");
    expect((await s.getMfaDevice(ACCOUNT, serial("three")))!.assignment).toBeNull();
    expect(await s.enableMfaDevice(ACCOUNT, serial("three"), "bob", sync(10), at(6), 2)).toBe("enabled");

    // The replay guard: the codes' step must be later than the last one accepted.
    expect(await s.enableMfaDevice(ACCOUNT, serial("used"), null, sync(99), at(7), 8)).toBe("stale");
    expect(await s.enableMfaDevice(ACCOUNT, serial("used"), null, sync(100), at(7), 8)).toBe("stale");
    expect((await s.getMfaDevice(ACCOUNT, serial("used")))!.assignment).toBeNull();
    expect(await s.enableMfaDevice(ACCOUNT, serial("used"), null, sync(101, 1), at(7), 8)).toBe("enabled");
    expect(await s.getMfaDevice(ACCOUNT, serial("used"))).toMatchObject({
      assignment: { user: null, enabledAt: at(7) },
      lastStep: 101,
      driftSteps: 1,
    });
    expect((await s.listMfaDevices(ACCOUNT, null)).map((d) => d.name)).toEqual(["used"]);
  });

  it("enableMfaDevice holds under concurrency: one owner per device, the per-user limit", async () => {
    const s = await fresh();
    const names = Array.from({ length: 8 }, (_, i) => `racer${i}`);
    for (const n of names) await s.createUser(user(n));
    await s.createMfaDevice(virtual("contested"));
    const results = await Promise.all(names.map((n) => s.enableMfaDevice(ACCOUNT, serial("contested"), n, sync(10), at(5), 8)));
    expect(results.filter((r) => r === "enabled")).toHaveLength(1);
    expect(results.filter((r) => r === "in-use")).toHaveLength(7);

    await s.createUser(user("greedy"));
    for (let i = 0; i < 8; i++) await s.createMfaDevice(virtual(`greedy-${i}`));
    const greedy = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.enableMfaDevice(ACCOUNT, serial(`greedy-${i}`), "greedy", sync(10), at(5), 2)),
    );
    expect(greedy.filter((r) => r === "enabled")).toHaveLength(2);
    expect(greedy.filter((r) => r === "limit")).toHaveLength(6);
    expect(await s.listMfaDevices(ACCOUNT, "greedy")).toHaveLength(2);
  });

  it("resyncMfaDevice and deactivateMfaDevice: only for the owner; the last step survives deactivation", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createUser(user("bob"));
    await s.createMfaDevice(virtual("dev"));
    await s.createMfaDevice(virtual("spare"));
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev"), "alice", sync(100), at(5), 8)).toBe("enabled");

    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), "bob", sync(110, 5))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), null, sync(110, 5))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), "nobody", sync(110, 5))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("spare"), "alice", sync(110, 5))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("nothing"), "alice", sync(110, 5))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), "alice", sync(100, 5))).toBe(false); // not later
    expect(await s.getMfaDevice(ACCOUNT, serial("dev"))).toMatchObject({ lastStep: 100, driftSteps: 0 });
    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), "ALICE", sync(110, -5))).toBe(true);
    expect(await s.getMfaDevice(ACCOUNT, serial("dev"))).toMatchObject({
      lastStep: 110,
      driftSteps: -5,
      assignment: { user: user("alice"), enabledAt: at(5) },
    });

    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), "bob")).toBe(false);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), null)).toBe(false);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), "nobody")).toBe(false);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("spare"), "alice")).toBe(false);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), "Alice")).toBe(true);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), "alice")).toBe(false);
    const after = await s.getMfaDevice(ACCOUNT, serial("dev"));
    expect(after).toMatchObject({ assignment: null, lastStep: 110 });
    expect(await s.listMfaDevices(ACCOUNT, "alice")).toEqual([]);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("dev"), "alice", sync(120))).toBe(false);

    // Re-enabling: not with a step already accepted.
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev"), "bob", sync(110), at(6), 8)).toBe("stale");
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev"), "bob", sync(111), at(6), 8)).toBe("enabled");
    expect((await s.getMfaDevice(ACCOUNT, serial("dev")))!.assignment).toEqual({ user: user("bob"), enabledAt: at(6) });

    // Root's devices: owner null.
    expect(await s.enableMfaDevice(ACCOUNT, serial("spare"), null, sync(1), at(7), 8)).toBe("enabled");
    expect(await s.resyncMfaDevice(ACCOUNT, serial("spare"), "alice", sync(2))).toBe(false);
    expect(await s.resyncMfaDevice(ACCOUNT, serial("spare"), null, sync(2))).toBe(true);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("spare"), "alice")).toBe(false);
    expect(await s.deactivateMfaDevice(ACCOUNT, serial("spare"), null)).toBe(true);
  });

  it("deleteVirtualMfaDevice: assigned, not-found, deleted; deleteUser refuses a user with a device", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createMfaDevice(virtual("dev"));
    expect(await s.enableMfaDevice(ACCOUNT, serial("dev"), "alice", sync(10), at(5), 8)).toBe("enabled");

    expect(await s.deleteVirtualMfaDevice(ACCOUNT, serial("dev"))).toBe("assigned");
    expect(await s.deleteVirtualMfaDevice(ACCOUNT, serial("nothing"))).toBe("not-found");
    expect(await s.deleteVirtualMfaDevice("999999999999", serial("dev"))).toBe("not-found");
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("has-mfa-devices");
    expect(await s.getUser(ACCOUNT, "alice")).toEqual(user("alice"));

    // The device follows its user through a rename.
    expect(await s.updateUser(ACCOUNT, "alice", { newUserName: "alicia", newPath: "/x/" })).toBe("updated");
    expect((await s.getMfaDevice(ACCOUNT, serial("dev")))!.assignment!.user).toMatchObject({ userName: "alicia", path: "/x/" });
    expect((await s.listMfaDevices(ACCOUNT, "alicia")).map((d) => d.name)).toEqual(["dev"]);
    expect(await s.deleteUser(ACCOUNT, "alicia")).toBe("has-mfa-devices");

    expect(await s.deactivateMfaDevice(ACCOUNT, serial("dev"), "alicia")).toBe(true);
    expect(await s.deleteUser(ACCOUNT, "alicia")).toBe("deleted");
    expect(await s.deleteVirtualMfaDevice(ACCOUNT, serial("dev"))).toBe("deleted");
    expect(await s.getMfaDevice(ACCOUNT, serial("dev"))).toBeUndefined();
    expect((await s.listVirtualMfaDevices(ACCOUNT, { limit: 10 })).items).toEqual([]);
    expect(await s.deleteVirtualMfaDevice(ACCOUNT, serial("dev"))).toBe("not-found");
    // The name is free again.
    expect(await s.createMfaDevice(virtual("DEV"))).toBe("created");

    // A hardware token is not a virtual device; an enabled one also blocks its user's deletion.
    await s.createUser(user("bob"));
    await s.createMfaDevice(hardware("GAHT00000001", user("bob")));
    expect(await s.deleteUser(ACCOUNT, "bob")).toBe("has-mfa-devices");
    expect(await s.deactivateMfaDevice(ACCOUNT, "GAHT00000001", "bob")).toBe(true);
    expect(await s.deleteVirtualMfaDevice(ACCOUNT, "GAHT00000001")).toBe("not-found");
    expect(await s.getMfaDevice(ACCOUNT, "GAHT00000001")).toBeDefined();
    expect(await s.deleteUser(ACCOUNT, "bob")).toBe("deleted");
  });

  it("acceptMfaStep is a compare-and-set: of 8 racing calls with one step exactly one wins", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createMfaDevice(hardware("GAHT00000001", user("alice")));
    await s.createMfaDevice(virtual("dev", { lastStep: 500 }));

    const results = await Promise.all(Array.from({ length: 8 }, () => s.acceptMfaStep("GAHT00000001", 1000)));
    expect(results.filter((r) => r)).toHaveLength(1);
    expect((await s.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(1000);
    expect(await s.acceptMfaStep("GAHT00000001", 1000)).toBe(false);
    expect(await s.acceptMfaStep("GAHT00000001", 999)).toBe(false);
    expect(await s.acceptMfaStep("GAHT00000001", 1001)).toBe(true);
    expect((await s.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(1001);

    // Racing different steps: the stored step only moves forward and ends at the largest.
    const steps = [1005, 1002, 1008, 1003, 1008, 1004];
    await Promise.all(steps.map((step) => s.acceptMfaStep("GAHT00000001", step)));
    expect((await s.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(1008);

    expect(await s.acceptMfaStep(serial("dev"), 500)).toBe(false);
    expect(await s.acceptMfaStep(serial("dev"), 501)).toBe(true);
    expect(await s.acceptMfaStep("GAHT99999999", 1)).toBe(false);
    expect(await s.getMfaDevice(ACCOUNT, "GAHT99999999")).toBeUndefined();
  });

  it("getUserById: by the unique id, which survives renames", async () => {
    const s = await fresh();
    const alice = user("alice", "/a/");
    await s.createUser(alice);
    expect(await s.getUserById(ACCOUNT, alice.userId)).toEqual(alice);
    expect(await s.getUserById("999999999999", alice.userId)).toBeUndefined();
    expect(await s.getUserById(ACCOUNT, "AIDANOSUCHUSERXXXXXX")).toBeUndefined();
    await s.updateUser(ACCOUNT, "alice", { newUserName: "alicia", newPath: "/b/" });
    expect(await s.getUserById(ACCOUNT, alice.userId)).toEqual({ ...alice, userName: "alicia", path: "/b/" });
    // A new user with the old name is someone else.
    const newcomer = user("alice", "/", "AIDANEWCOMERXXXXXXXX");
    await s.createUser(newcomer);
    expect(await s.getUserById(ACCOUNT, newcomer.userId)).toEqual(newcomer);
    expect((await s.getUserById(ACCOUNT, alice.userId))!.userName).toBe("alicia");
    await s.deleteUser(ACCOUNT, "alicia");
    expect(await s.getUserById(ACCOUNT, alice.userId)).toBeUndefined();
  });

  it("token keys: add, a duplicate id left as it is, oldest first, delete", async () => {
    const s = await fresh();
    expect(await s.listTokenKeys()).toEqual([]);
    await s.addTokenKey({ id: 5, sealedKey: "k5", createdAt: 3000 });
    await s.addTokenKey({ id: 2, sealedKey: "k2", createdAt: 1000 });
    await s.addTokenKey({ id: 9, sealedKey: "k9", createdAt: 2000 });
    await s.addTokenKey({ id: 2, sealedKey: "replacement", createdAt: 4000 });
    expect(await s.listTokenKeys()).toEqual([
      { id: 2, sealedKey: "k2", createdAt: 1000 },
      { id: 9, sealedKey: "k9", createdAt: 2000 },
      { id: 5, sealedKey: "k5", createdAt: 3000 },
    ]);
    // Racing adds of one id (two processes starting at once): one key survives.
    await Promise.all(Array.from({ length: 8 }, (_, i) => s.addTokenKey({ id: 7, sealedKey: `race-${i}`, createdAt: 5000 })));
    const sevens = (await s.listTokenKeys()).filter((k) => k.id === 7);
    expect(sevens).toHaveLength(1);

    await s.deleteTokenKeys([2, 5, 404]);
    await s.deleteTokenKeys([]);
    expect((await s.listTokenKeys()).map((k) => k.id)).toEqual([9, 7]);
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
