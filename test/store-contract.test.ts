/**
 * One contract for every Store backend: the embedded SQLite store and PostgreSQL (a fresh
 * database per store, dropped when the file is done; MFA_STS_TEST_PG names the server, and
 * these tests fail rather than skip when it cannot be reached). Conditional writes are checked under concurrency, not just in turn:
 * users, access keys, MFA devices (enable/resync/deactivate/delete and the acceptMfaStep
 * compare-and-set that guards against replays), the session-token key ring, and (issue 12) group
 * memberships, inline policies' aggregate size, policy versions and attachments, and (issue 14)
 * roles: DeleteRole racing AttachRolePolicy / PutRolePolicy, one role of a name, the tag limit,
 * and (issue 16) attempt limits: racing failures each counted once, exactly one of them locking.
 * A database made by the previous release, one of the schema just before roles, and one just
 * before attempt limits, is upgraded in place.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS as POSTGRES_MIGRATIONS, PostgresStore } from "../src/store/postgres.js";
import { compareKeys, prefixEnd } from "../src/store/rows.js";
import { MIGRATIONS as SQLITE_MIGRATIONS, SqliteStore } from "../src/store/sqlite.js";
import type {
  AccessKey,
  CompleteUploadResult,
  EffectivePolicy,
  KeyRange,
  MfaDevice,
  PutPartResult,
  S3Object,
  Store,
  User,
} from "../src/store/store.js";
import { asRole, role, trustDoc } from "./helpers/role-fixtures.js";
import { tempDir } from "./helpers/server.js";
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  asGroup,
  asUser,
  at,
  awsPolicyArn,
  bucket,
  bytewise,
  group,
  hardware,
  key,
  object,
  part,
  policy,
  policyArn,
  policyDoc,
  serial,
  upload,
  user,
  virtual,
} from "./helpers/store-fixtures.js";

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

/** The user a database of the previous release holds when it is upgraded, and the statements that add it. */
const OLD_USER = user("veteran");
const OLD_ROWS: [string, unknown[]][] = [
  ["INSERT INTO accounts (id, created_at) VALUES (?, ?)", [ACCOUNT, at(0).getTime()]],
  [
    "INSERT INTO users (user_id, account_id, user_name, path, created_at) VALUES (?, ?, ?, ?, ?)",
    [OLD_USER.userId, ACCOUNT, OLD_USER.userName, OLD_USER.path, OLD_USER.createdAt.getTime()],
  ],
];

/**
 * The schema just before roles (issue 14): SQLite's first four migrations, PostgreSQL's first
 * three. A database at that version holds a user in a group, with a customer managed policy
 * attached to both, when it is upgraded.
 */
const SQLITE_BEFORE_ROLES = 4;
const POSTGRES_BEFORE_ROLES = 3;
const PRE_ROLES_POLICY = policy("Kept");
const PRE_ROLES_GROUP = group("keepers");
const PRE_ROLES_ROWS = (tagsValue: string): [string, unknown[]][] => [
  ...OLD_ROWS,
  [
    "INSERT INTO groups (group_id, account_id, group_name, path, created_at) VALUES (?, ?, ?, ?, ?)",
    [PRE_ROLES_GROUP.groupId, ACCOUNT, PRE_ROLES_GROUP.groupName, PRE_ROLES_GROUP.path, PRE_ROLES_GROUP.createdAt.getTime()],
  ],
  ["INSERT INTO group_members (group_id, user_id) VALUES (?, ?)", [PRE_ROLES_GROUP.groupId, OLD_USER.userId]],
  [
    `INSERT INTO policies (policy_id, account_id, policy_name, path, arn, description, default_version, last_version, tags, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, NULL, 1, 1, ${tagsValue}, ?, ?)`,
    [
      PRE_ROLES_POLICY.policyId,
      ACCOUNT,
      PRE_ROLES_POLICY.policyName,
      PRE_ROLES_POLICY.path,
      PRE_ROLES_POLICY.arn,
      PRE_ROLES_POLICY.createdAt.getTime(),
      PRE_ROLES_POLICY.updatedAt.getTime(),
    ],
  ],
  [
    "INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES (?, 1, ?, ?)",
    [PRE_ROLES_POLICY.policyId, policyDoc("kept:*"), PRE_ROLES_POLICY.createdAt.getTime()],
  ],
  ["INSERT INTO user_attached_policies (user_id, account_id, policy_arn) VALUES (?, ?, ?)", [OLD_USER.userId, ACCOUNT, PRE_ROLES_POLICY.arn]],
  ["INSERT INTO group_attached_policies (group_id, account_id, policy_arn) VALUES (?, ?, ?)", [PRE_ROLES_GROUP.groupId, ACCOUNT, PRE_ROLES_POLICY.arn]],
];

/**
 * The schema just before attempt limits (issue 16): SQLite's first five migrations, PostgreSQL's
 * first four. A database at that version holds the old user with an access key when it is upgraded.
 */
const SQLITE_BEFORE_ATTEMPTS = 5;
const POSTGRES_BEFORE_ATTEMPTS = 4;
const OLD_KEY = key("AKIAVETERAN000000001", OLD_USER.userName);
const PRE_ATTEMPTS_ROWS: [string, unknown[]][] = [
  ...OLD_ROWS,
  [
    "INSERT INTO access_keys (access_key_id, account_id, user_id, sealed_secret, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    [OLD_KEY.accessKeyId, ACCOUNT, OLD_USER.userId, OLD_KEY.sealedSecret, OLD_KEY.status, OLD_KEY.createdAt.getTime()],
  ],
];

/** The `attrs` of an object row loaded in bulk (what objectAttrsJson writes for a plain object). */
const BULK_ATTRS = JSON.stringify({ contentType: "binary/octet-stream", metadata: [], headers: {}, checksum: null });

/** A store with a way around it: loading many object rows at once, and the plan of a listObjects call. */
interface Bulk {
  store: Store;
  /** Inserts object rows for `keys` straight into the database (one transaction). */
  insertObjects(bucketName: string, keys: readonly string[]): Promise<void>;
  /** The plan of the statement listObjects runs with `options`. */
  plan(bucketName: string, options: KeyRange & { limit: number }): Promise<string[]>;
  /** Gathers the planner's statistics (ANALYZE). */
  analyze(): Promise<void>;
  /** Asserts that `plan` reads one index range in key order (no scan, no sort) and yields at most `rows` rows. */
  expectIndexRange(plan: string[], rows: number): void;
}

interface Backend {
  name: string;
  open: () => Promise<Store>;
  openPrevious: () => Promise<Store>;
  /** A database at the schema just before roles, holding PRE_ROLES_ROWS, opened (and so upgraded). */
  openBeforeRoles: () => Promise<Store>;
  /** A database at the schema just before attempt limits, holding PRE_ATTEMPTS_ROWS, opened (and so upgraded). */
  openBeforeAttempts: () => Promise<Store>;
  openBulk: () => Promise<Bulk>;
}

const backends: Backend[] = [
  {
    name: "sqlite",
    open: async () => new SqliteStore(join(tempDir(), "test.db")),
    // The previous release (0.1.0): two migrations.
    openPrevious: async () => {
      const file = join(tempDir(), "old.db");
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      for (const m of SQLITE_MIGRATIONS.slice(0, 2)) db.exec(m);
      db.pragma("user_version = 2");
      for (const [sql, values] of OLD_ROWS) db.prepare(sql).run(...values);
      db.close();
      return new SqliteStore(file);
    },
    openBeforeRoles: async () => {
      const file = join(tempDir(), "pre-roles.db");
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      for (const m of SQLITE_MIGRATIONS.slice(0, SQLITE_BEFORE_ROLES)) db.exec(m);
      db.pragma(`user_version = ${SQLITE_BEFORE_ROLES}`);
      for (const [sql, values] of PRE_ROLES_ROWS("'[]'")) db.prepare(sql).run(...values);
      db.close();
      return new SqliteStore(file);
    },
    openBeforeAttempts: async () => {
      const file = join(tempDir(), "pre-attempts.db");
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      for (const m of SQLITE_MIGRATIONS.slice(0, SQLITE_BEFORE_ATTEMPTS)) db.exec(m);
      db.pragma(`user_version = ${SQLITE_BEFORE_ATTEMPTS}`);
      for (const [sql, values] of PRE_ATTEMPTS_ROWS) db.prepare(sql).run(...values);
      db.close();
      return new SqliteStore(file);
    },
    openBulk: async () => {
      const file = join(tempDir(), "bulk.db");
      const store = new SqliteStore(file);
      return {
        store,
        insertObjects: async (bucketName, keys) => {
          const db = new Database(file);
          db.pragma("busy_timeout = 5000");
          const insert = db.prepare(
            `INSERT INTO s3_objects (bucket, key, size, etag, last_modified, blob_id, attrs) VALUES (?, ?, 0, '"e"', 0, ?, ?)`,
          );
          db.transaction(() => {
            for (const k of keys) insert.run(bucketName, k, `blob-${k}`, BULK_ATTRS);
          })();
          db.close();
        },
        plan: async (bucketName, options) => store.explainListObjects(bucketName, options),
        analyze: async () => {
          const db = new Database(file);
          db.exec("ANALYZE");
          db.close();
        },
        expectIndexRange: (plan) => {
          // One step: a search of the clustered primary key by bucket and the key range. No SCAN,
          // no "USE TEMP B-TREE FOR ORDER BY": the rows come out of the b-tree in key order, and
          // the LIMIT stops the search after the page.
          expect(plan).toHaveLength(1);
          expect(plan[0]).toMatch(/^SEARCH s3_objects USING PRIMARY KEY \(bucket=\?( AND key>=?\?)?( AND key<\?)?\)$/);
        },
      };
    },
  },
  {
    name: "postgres",
    open: async () => PostgresStore.open(await freshPostgresDatabase()),
    // The previous release (0.1.0): schema version 1.
    openPrevious: async () => {
      const url = await freshPostgresDatabase();
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        await client.query(POSTGRES_MIGRATIONS[0]!);
        await client.query("INSERT INTO schema_migrations (version) VALUES (1)");
        for (const [sql, values] of OLD_ROWS) {
          let n = 0;
          await client.query(sql.replace(/\?/g, () => `$${++n}`), values);
        }
      } finally {
        await client.end();
      }
      return PostgresStore.open(url);
    },
    openBeforeRoles: async () => {
      const url = await freshPostgresDatabase();
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        for (const [i, m] of POSTGRES_MIGRATIONS.slice(0, POSTGRES_BEFORE_ROLES).entries()) {
          await client.query(m);
          await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [i + 1]);
        }
        for (const [sql, values] of PRE_ROLES_ROWS("'[]'::jsonb")) {
          let n = 0;
          await client.query(sql.replace(/\?/g, () => `$${++n}`), values);
        }
      } finally {
        await client.end();
      }
      return PostgresStore.open(url);
    },
    openBeforeAttempts: async () => {
      const url = await freshPostgresDatabase();
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        for (const [i, m] of POSTGRES_MIGRATIONS.slice(0, POSTGRES_BEFORE_ATTEMPTS).entries()) {
          await client.query(m);
          await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [i + 1]);
        }
        for (const [sql, values] of PRE_ATTEMPTS_ROWS) {
          let n = 0;
          await client.query(sql.replace(/\?/g, () => `$${++n}`), values);
        }
      } finally {
        await client.end();
      }
      return PostgresStore.open(url);
    },
    openBulk: async () => {
      const url = await freshPostgresDatabase();
      const store = await PostgresStore.open(url);
      return {
        store,
        insertObjects: async (bucketName, keys) => {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
          await client.connect();
          try {
            await client.query(
              `INSERT INTO s3_objects (bucket, key, size, etag, last_modified, blob_id, attrs)
               SELECT $1, k, 0, '"e"', 0, 'blob-' || k, $3::jsonb FROM unnest($2::text[]) AS k`,
              [bucketName, keys, BULK_ATTRS],
            );
          } finally {
            await client.end();
          }
        },
        plan: (bucketName, options) => store.explainListObjects(bucketName, options),
        analyze: async () => {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
          await client.connect();
          await client.query("ANALYZE").finally(() => client.end());
        },
        expectIndexRange: (plan, rows) => {
          // Executed (EXPLAIN ANALYZE): a Limit over an index scan of the primary key whose
          // condition is the bucket and the key range, reading no more rows than the page needs
          // and touching at most about a page per row (the whole bucket is ~3 300 pages).
          const text = plan.join("\n");
          expect(plan[0], text).toMatch(/^Limit \(actual rows=\d+ loops=1\)$/);
          const scan = /^ {2}-> {2}Index Scan using s3_objects_pkey on s3_objects \(actual rows=(\d+) loops=1\)$/m.exec(text);
          expect(scan, text).not.toBeNull();
          const read = Number(scan![1]);
          expect(read).toBeLessThanOrEqual(rows);
          expect(text).toMatch(/Index Cond: \(bucket = '[^']+'::text\)$|Index Cond: \(\(bucket = '[^']+'::text\)( AND \(key >=? '[^']*'::text\))?( AND \(key < '[^']*'::text\))?\)$/m);
          expect(text).not.toMatch(/Seq Scan|Sort|Bitmap|Filter/);
          const buffers = /Buffers: shared hit=(\d+)(?: read=(\d+))?/.exec(text);
          expect(buffers, text).not.toBeNull();
          expect(Number(buffers![1]) + Number(buffers![2] ?? 0)).toBeLessThanOrEqual(read + 100);
        },
      };
    },
  },
];

const sync = (lastStep: number, driftSteps = 0) => ({ lastStep, driftSteps });

describe.each(backends)("Store contract: $name", ({ open, openPrevious, openBeforeRoles, openBeforeAttempts, openBulk }) => {
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

  // --- groups, policies and attachments (issue 12) ---

  it("a database made by the previous release is upgraded: its users kept, groups and policies usable", async () => {
    store = await openPrevious();
    const s = store;
    expect(await s.listAccounts()).toEqual([{ id: ACCOUNT, createdAt: at(0) }]);
    expect(await s.getUser(ACCOUNT, "VETERAN")).toEqual(OLD_USER);
    expect(await s.createGroup(group("admins"))).toBe("created");
    expect(await s.addUserToGroup(ACCOUNT, "admins", "veteran", 10)).toBe("added");
    expect(await s.putInlinePolicy(ACCOUNT, asUser("veteran"), "own", policyDoc("s3:*"), 40, 2048)).toBe("put");
    expect(await s.createPolicy(policy("managed"), policyDoc("iam:*"))).toBe("created");
    expect(await s.attachPolicy(ACCOUNT, asGroup("admins"), policyArn("managed"), true, 10)).toBe("attached");
    expect((await s.effectivePolicies(ACCOUNT, OLD_USER.userId))!.map((p) => p.name)).toEqual(["own", "managed"]);
    expect(await s.deleteUser(ACCOUNT, "veteran")).toBe("has-inline-policies");
    // S3's tables came with the upgrade.
    expect(await s.createBucket(bucket("upgraded"))).toBe("created");
    expect(await s.putObject(object("upgraded", "k"))).toEqual({ replacedBlobId: null });
    expect((await s.listObjects("upgraded", { limit: 10 })).items).toEqual([object("upgraded", "k")]);
  });

  it("groups: case-insensitive names, conflicts, listing by path with pages, delete", async () => {
    const s = await fresh();
    expect(await s.createGroup(group("admins", "/ops/"))).toBe("created");
    expect(await s.createGroup(group("ADMINS", "/", "AGPAOTHERXXXXXXXXXX"))).toBe("exists");
    expect(await s.createGroup(group("admins2", "/", group("admins").groupId))).toBe("exists"); // the id is taken
    expect(await s.getGroup(ACCOUNT, "Admins")).toEqual(group("admins", "/ops/"));
    expect(await s.getGroup("999999999999", "admins")).toBeUndefined();
    expect(await s.getGroup(ACCOUNT, "nobody")).toBeUndefined();
    // A user and a group may share a name.
    expect(await s.createUser(user("admins"))).toBe("created");
    for (const n of ["bees", "Cats", "dogs"]) expect(await s.createGroup(group(n))).toBe("created");

    const first = await s.listGroups(ACCOUNT, { pathPrefix: "/", limit: 2 });
    expect(first.items.map((g) => g.groupName)).toEqual(["admins", "bees"]);
    expect(first.next).toBe("bees");
    const second = await s.listGroups(ACCOUNT, { pathPrefix: "/", limit: 2, after: first.next });
    expect(second.items.map((g) => g.groupName)).toEqual(["Cats", "dogs"]);
    expect(second.next).toBeUndefined();
    expect((await s.listGroups(ACCOUNT, { pathPrefix: "/ops/", limit: 10 })).items).toEqual([group("admins", "/ops/")]);
    expect(await s.listGroups("999999999999", { pathPrefix: "/", limit: 10 })).toEqual({ items: [] });

    expect(await s.deleteGroup(ACCOUNT, "nobody")).toBe("not-found");
    expect(await s.deleteGroup(ACCOUNT, "CATS")).toBe("deleted");
    expect(await s.getGroup(ACCOUNT, "cats")).toBeUndefined();
    expect(await s.deleteGroup(ACCOUNT, "cats")).toBe("not-found");
    // The name is free again.
    expect(await s.createGroup(group("cats", "/", "AGPANEWCATSXXXXXXXX"))).toBe("created");
    expect(await s.getUser(ACCOUNT, "admins")).toEqual(user("admins"));
  });

  it("group membership: idempotent add, the per-user limit, remove, members and a user's groups in pages, renames", async () => {
    const s = await fresh();
    for (const n of ["alice", "Bob", "carol", "dave"]) await s.createUser(user(n));
    for (const n of ["g1", "G2", "g3"]) await s.createGroup(group(n));

    expect(await s.addUserToGroup(ACCOUNT, "nogroup", "alice", 10)).toBe("no-group");
    expect(await s.addUserToGroup(ACCOUNT, "g1", "nobody", 10)).toBe("no-user");
    expect(await s.addUserToGroup(ACCOUNT, "nogroup", "nobody", 10)).toBe("no-group");
    expect(await s.addUserToGroup("999999999999", "g1", "alice", 10)).toBe("no-group");
    for (const n of ["dave", "alice", "carol", "Bob"]) expect(await s.addUserToGroup(ACCOUNT, "G1", n.toUpperCase(), 10)).toBe("added");
    expect(await s.addUserToGroup(ACCOUNT, "g1", "alice", 10)).toBe("added"); // idempotent

    // The limit counts the user's other groups; a group the user is in already is no new one.
    expect(await s.addUserToGroup(ACCOUNT, "g2", "alice", 2)).toBe("added");
    expect(await s.addUserToGroup(ACCOUNT, "g3", "alice", 2)).toBe("limit");
    expect(await s.addUserToGroup(ACCOUNT, "g2", "alice", 2)).toBe("added");
    expect(await s.addUserToGroup(ACCOUNT, "g1", "alice", 1)).toBe("added");

    const first = await s.listGroupMembers(ACCOUNT, "g1", { limit: 3 });
    expect(first!.items.map((u) => u.userName)).toEqual(["alice", "Bob", "carol"]);
    expect(first!.next).toBe("carol");
    expect(first!.items[1]).toEqual(user("Bob"));
    const second = await s.listGroupMembers(ACCOUNT, "g1", { limit: 3, after: first!.next });
    expect(second).toEqual({ items: [user("dave")] });
    expect(await s.listGroupMembers(ACCOUNT, "g3", { limit: 3 })).toEqual({ items: [] });
    expect(await s.listGroupMembers(ACCOUNT, "nogroup", { limit: 3 })).toBeUndefined();

    const groups = await s.listGroupsForUser(ACCOUNT, "ALICE", { limit: 1 });
    expect(groups).toEqual({ items: [group("g1")], next: "g1" });
    expect(await s.listGroupsForUser(ACCOUNT, "alice", { limit: 1, after: groups!.next })).toEqual({ items: [group("G2")] });
    expect(await s.listGroupsForUser(ACCOUNT, "alice", { limit: 5 })).toEqual({ items: [group("g1"), group("G2")] });
    expect(await s.listGroupsForUser(ACCOUNT, "carol", { limit: 5 })).toEqual({ items: [group("g1")] });
    expect(await s.listGroupsForUser(ACCOUNT, "nobody", { limit: 5 })).toBeUndefined();

    // Memberships follow a renamed user.
    expect(await s.updateUser(ACCOUNT, "alice", { newUserName: "zed", newPath: "/z/" })).toBe("updated");
    expect((await s.listGroupMembers(ACCOUNT, "g1", { limit: 10 }))!.items.map((u) => u.userName)).toEqual([
      "Bob",
      "carol",
      "dave",
      "zed",
    ]);
    expect((await s.listGroupsForUser(ACCOUNT, "zed", { limit: 10 }))!.items.map((g) => g.groupName)).toEqual(["g1", "G2"]);
    // A new user with the old name is in no group.
    await s.createUser(user("alice", "/", "AIDANEWALICEXXXXXXXX"));
    expect(await s.listGroupsForUser(ACCOUNT, "alice", { limit: 10 })).toEqual({ items: [] });

    expect(await s.removeUserFromGroup(ACCOUNT, "nogroup", "zed")).toBe("no-group");
    expect(await s.removeUserFromGroup(ACCOUNT, "g1", "nobody")).toBe("no-user");
    expect(await s.removeUserFromGroup(ACCOUNT, "nogroup", "nobody")).toBe("no-user"); // as AWS: the user is named first
    expect(await s.removeUserFromGroup(ACCOUNT, "G1", "ZED")).toBe("removed");
    expect(await s.removeUserFromGroup(ACCOUNT, "g1", "zed")).toBe("removed"); // not a member: still removed
    expect(await s.removeUserFromGroup(ACCOUNT, "g3", "alice")).toBe("removed");
    expect((await s.listGroupsForUser(ACCOUNT, "zed", { limit: 10 }))!.items.map((g) => g.groupName)).toEqual(["G2"]);
    expect(await s.addUserToGroup(ACCOUNT, "g3", "zed", 2)).toBe("added");
  });

  it("deleteGroup refuses a group with members, inline policies, attached policies, in that order", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createGroup(group("ops"));
    await s.addUserToGroup(ACCOUNT, "ops", "alice", 10);
    await s.putInlinePolicy(ACCOUNT, asGroup("ops"), "inline", policyDoc("s3:*"), 50, 5120);
    await s.attachPolicy(ACCOUNT, asGroup("ops"), awsPolicyArn("ReadOnlyAccess"), false, 10);

    expect(await s.deleteGroup(ACCOUNT, "OPS")).toBe("has-members");
    expect(await s.removeUserFromGroup(ACCOUNT, "ops", "alice")).toBe("removed");
    expect(await s.deleteGroup(ACCOUNT, "ops")).toBe("has-inline-policies");
    expect(await s.deleteInlinePolicy(ACCOUNT, asGroup("ops"), "inline")).toBe("deleted");
    expect(await s.deleteGroup(ACCOUNT, "ops")).toBe("has-attached-policies");
    expect(await s.detachPolicy(ACCOUNT, asGroup("ops"), awsPolicyArn("ReadOnlyAccess"))).toBe("detached");
    expect(await s.deleteGroup(ACCOUNT, "ops")).toBe("deleted");
    expect(await s.getGroup(ACCOUNT, "ops")).toBeUndefined();
    expect(await s.listGroupsForUser(ACCOUNT, "alice", { limit: 10 })).toEqual({ items: [] });
  });

  it("deleteUser refuses keys, MFA devices, inline policies, attached policies, groups, in that order", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createGroup(group("ops"));
    await s.createAccessKey(key("AKIA0000000000000001", "alice"), 2);
    await s.createMfaDevice(hardware("GAHT00000001", user("alice")));
    await s.putInlinePolicy(ACCOUNT, asUser("alice"), "inline", policyDoc("s3:*"), 50, 2048);
    await s.attachPolicy(ACCOUNT, asUser("alice"), awsPolicyArn("ReadOnlyAccess"), false, 10);
    await s.addUserToGroup(ACCOUNT, "ops", "alice", 10);

    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("has-access-keys");
    await s.deleteAccessKey(ACCOUNT, "alice", "AKIA0000000000000001");
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("has-mfa-devices");
    await s.deactivateMfaDevice(ACCOUNT, "GAHT00000001", "alice");
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("has-inline-policies");
    await s.deleteInlinePolicy(ACCOUNT, asUser("alice"), "inline");
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("has-attached-policies");
    await s.detachPolicy(ACCOUNT, asUser("alice"), awsPolicyArn("ReadOnlyAccess"));
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("in-groups");
    await s.removeUserFromGroup(ACCOUNT, "ops", "alice");
    expect(await s.deleteUser(ACCOUNT, "alice")).toBe("deleted");
    expect(await s.listGroupMembers(ACCOUNT, "ops", { limit: 10 })).toEqual({ items: [] });
    expect(await s.deleteGroup(ACCOUNT, "ops")).toBe("deleted");
  });

  it("inline policies: put and replace, exact names, documents verbatim, the aggregate size, list, delete, renames", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createGroup(group("ops"));
    const text = policyDoc("s3:GetObject");

    expect(await s.putInlinePolicy(ACCOUNT, asUser("nobody"), "p", text, 10, 2048)).toBe("no-owner");
    expect(await s.putInlinePolicy(ACCOUNT, asGroup("nobody"), "p", text, 10, 5120)).toBe("no-owner");
    expect(await s.putInlinePolicy(ACCOUNT, asGroup("alice"), "p", text, 10, 5120)).toBe("no-owner"); // a user, not a group
    expect(await s.putInlinePolicy(ACCOUNT, asUser("ALICE"), "Read", text, 1000, 2048)).toBe("put");
    expect(await s.getInlinePolicy(ACCOUNT, asUser("alice"), "Read")).toBe(text);
    // Names are exact: "read" is another policy.
    expect(await s.getInlinePolicy(ACCOUNT, asUser("alice"), "read")).toBe("not-found");
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "read", policyDoc("s3:*"), 1000, 2048)).toBe("put");
    // 1000 + 1000 + 49 > 2048; replacing "Read" with a smaller one fits, with a larger one not.
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "more", text, 49, 2048)).toBe("too-large");
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "more", text, 48, 2048)).toBe("put");
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "Read", policyDoc("s3:List*"), 1001, 2048)).toBe("too-large");
    expect(await s.getInlinePolicy(ACCOUNT, asUser("alice"), "Read")).toBe(text);
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "Read", policyDoc("s3:List*"), 1000, 2048)).toBe("put");
    expect(await s.getInlinePolicy(ACCOUNT, asUser("alice"), "Read")).toBe(policyDoc("s3:List*"));
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "Read", text, 500, 2048)).toBe("put");
    expect(await s.putInlinePolicy(ACCOUNT, asUser("alice"), "extra", text, 500, 2048)).toBe("put");
    // A group's policies are its own: the user's do not count against it.
    expect(await s.putInlinePolicy(ACCOUNT, asGroup("OPS"), "Read", "{}", 5000, 5120)).toBe("put");
    expect(await s.getInlinePolicy(ACCOUNT, asGroup("ops"), "Read")).toBe("{}");

    // Ascending by byte: upper case before lower case.
    expect(await s.listInlinePolicies(ACCOUNT, asUser("alice"))).toEqual(["Read", "extra", "more", "read"]);
    expect(await s.listInlinePolicies(ACCOUNT, asGroup("ops"))).toEqual(["Read"]);
    expect(await s.listInlinePolicies(ACCOUNT, asUser("nobody"))).toBeUndefined();
    expect(await s.listInlinePolicies(ACCOUNT, asGroup("nobody"))).toBeUndefined();
    expect(await s.getInlinePolicy(ACCOUNT, asUser("nobody"), "Read")).toBe("no-owner");
    expect(await s.getInlinePolicy("999999999999", asUser("alice"), "Read")).toBe("no-owner");

    // They follow a renamed user; a new user with the old name has none.
    await s.updateUser(ACCOUNT, "alice", { newUserName: "alicia" });
    expect(await s.listInlinePolicies(ACCOUNT, asUser("alicia"))).toEqual(["Read", "extra", "more", "read"]);
    expect(await s.listInlinePolicies(ACCOUNT, asUser("alice"))).toBeUndefined();
    await s.createUser(user("alice", "/", "AIDANEWALICEXXXXXXXX"));
    expect(await s.listInlinePolicies(ACCOUNT, asUser("alice"))).toEqual([]);
    expect(await s.getInlinePolicy(ACCOUNT, asUser("alice"), "Read")).toBe("not-found");

    expect(await s.deleteInlinePolicy(ACCOUNT, asUser("nobody"), "Read")).toBe("no-owner");
    expect(await s.deleteInlinePolicy(ACCOUNT, asUser("alicia"), "READ")).toBe("not-found");
    expect(await s.deleteInlinePolicy(ACCOUNT, asUser("alicia"), "Read")).toBe("deleted");
    expect(await s.deleteInlinePolicy(ACCOUNT, asUser("alicia"), "Read")).toBe("not-found");
    expect(await s.listInlinePolicies(ACCOUNT, asUser("alicia"))).toEqual(["extra", "more", "read"]);
    expect(await s.deleteInlinePolicy(ACCOUNT, asGroup("ops"), "Read")).toBe("deleted");
    expect(await s.listInlinePolicies(ACCOUNT, asGroup("ops"))).toEqual([]);
  });

  it("managed policies: create with v1, names unique case-insensitively, get, list, tags, attachment counts", async () => {
    const s = await fresh();
    const tags = [
      { key: "team", value: "blue" },
      { key: "Owner", value: "" },
    ];
    const readOnly = policy("ReadOnly", { path: "/team/", description: "Reads", tags });
    const text = policyDoc("s3:Get*");
    // attachmentCount and defaultVersionId are the store's, whatever the record says.
    expect(await s.createPolicy({ ...readOnly, attachmentCount: 7, defaultVersionId: "v9" }, text)).toBe("created");
    expect(await s.getPolicy(ACCOUNT, readOnly.arn)).toEqual(readOnly);
    expect(await s.getPolicy(ACCOUNT, policyArn("ReadOnly"))).toBeUndefined(); // another path
    expect(await s.getPolicy("999999999999", readOnly.arn)).toBeUndefined();
    expect(await s.getPolicyVersion(ACCOUNT, readOnly.arn, "v1")).toEqual({
      versionId: "v1",
      document: text,
      isDefault: true,
      createdAt: at(6),
    });

    expect(await s.createPolicy(policy("readonly", { policyId: "ANPAOTHERXXXXXXXXXX" }), text)).toBe("exists");
    expect(await s.createPolicy(policy("READONLY", { path: "/x/", policyId: "ANPAOTHERXXXXXXXXXX" }), text)).toBe("exists");
    expect(await s.createPolicy(policy("Other", { policyId: readOnly.policyId }), text)).toBe("exists"); // the id is taken
    expect(await s.getPolicy(ACCOUNT, readOnly.arn)).toEqual(readOnly);
    expect(await s.createPolicy(policy("Admin"), policyDoc("*"))).toBe("created");

    const sorted = (list: { policyName: string }[]) => list.map((p) => p.policyName).sort();
    expect(sorted(await s.listPolicies(ACCOUNT))).toEqual(["Admin", "ReadOnly"]);
    expect(await s.listPolicies("999999999999")).toEqual([]);

    // The attachment count is read with the policy.
    await s.createUser(user("alice"));
    await s.createUser(user("bob"));
    await s.createGroup(group("ops"));
    for (const owner of [asUser("alice"), asUser("bob"), asGroup("ops")]) {
      expect(await s.attachPolicy(ACCOUNT, owner, readOnly.arn, true, 10)).toBe("attached");
    }
    await s.attachPolicy(ACCOUNT, asUser("alice"), policyArn("Admin"), true, 10);
    expect((await s.getPolicy(ACCOUNT, readOnly.arn))!.attachmentCount).toBe(3);
    expect(await s.countAttachments(ACCOUNT, readOnly.arn)).toBe(3);
    expect(await s.countAttachments("999999999999", readOnly.arn)).toBe(0);
    const counts = Object.fromEntries((await s.listPolicies(ACCOUNT)).map((p) => [p.policyName, p.attachmentCount]));
    expect(counts).toEqual({ Admin: 1, ReadOnly: 3 });
  });

  it("policy versions: the counter never reuses an id, the limit, set as default, delete, list newest first", async () => {
    const s = await fresh();
    const p = policy("Versioned");
    await s.createPolicy(p, policyDoc("v1:*"));
    const arn = p.arn;

    expect(await s.createPolicyVersion(ACCOUNT, policyArn("nothing"), "{}", false, at(10), 5)).toBe("not-found");
    expect(await s.createPolicyVersion("999999999999", arn, "{}", false, at(10), 5)).toBe("not-found");
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v2:*"), false, at(10), 5)).toEqual({ versionId: "v2" });
    // Not the default: the policy is as it was.
    expect(await s.getPolicy(ACCOUNT, arn)).toEqual(p);
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v3:*"), true, at(11), 5)).toEqual({ versionId: "v3" });
    expect(await s.getPolicy(ACCOUNT, arn)).toEqual({ ...p, defaultVersionId: "v3", updatedAt: at(11) });
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v4:*"), false, at(12), 5)).toEqual({ versionId: "v4" });
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v5:*"), false, at(13), 5)).toEqual({ versionId: "v5" });
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v6:*"), true, at(14), 5)).toBe("limit");
    expect((await s.getPolicy(ACCOUNT, arn))!.defaultVersionId).toBe("v3");

    const versions = await s.listPolicyVersions(ACCOUNT, arn);
    expect(versions!.map((v) => [v.versionId, v.isDefault])).toEqual([
      ["v5", false],
      ["v4", false],
      ["v3", true],
      ["v2", false],
      ["v1", false],
    ]);
    expect(versions![1]).toEqual({ versionId: "v4", document: policyDoc("v4:*"), isDefault: false, createdAt: at(12) });
    expect(await s.listPolicyVersions(ACCOUNT, policyArn("nothing"))).toBeUndefined();
    expect(await s.getPolicyVersion(ACCOUNT, arn, "v3")).toEqual({
      versionId: "v3",
      document: policyDoc("v3:*"),
      isDefault: true,
      createdAt: at(11),
    });
    for (const id of ["v6", "v0", "v03", "V3", "3", "v3.x", "", "v99999999999999999999"]) {
      expect(await s.getPolicyVersion(ACCOUNT, arn, id)).toBeUndefined();
    }
    expect(await s.getPolicyVersion(ACCOUNT, policyArn("nothing"), "v1")).toBeUndefined();

    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v3")).toBe("default");
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v6")).toBe("not-found");
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "bogus")).toBe("not-found");
    expect(await s.deletePolicyVersion(ACCOUNT, policyArn("nothing"), "v1")).toBe("not-found");
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v2")).toBe("deleted");
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v2")).toBe("not-found");
    // The next id is one more than the highest ever made, not a gap's.
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v6:*"), false, at(15), 5)).toEqual({ versionId: "v6" });
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v6")).toBe("deleted");
    expect(await s.createPolicyVersion(ACCOUNT, arn, policyDoc("v7:*"), false, at(16), 5)).toEqual({ versionId: "v7" });
    expect((await s.listPolicyVersions(ACCOUNT, arn))!.map((v) => v.versionId)).toEqual(["v7", "v5", "v4", "v3", "v1"]);

    expect(await s.setDefaultPolicyVersion(ACCOUNT, arn, "v2", at(20))).toBe("not-found");
    expect(await s.setDefaultPolicyVersion(ACCOUNT, arn, "x", at(20))).toBe("not-found");
    expect(await s.setDefaultPolicyVersion(ACCOUNT, policyArn("nothing"), "v1", at(20))).toBe("not-found");
    expect(await s.setDefaultPolicyVersion(ACCOUNT, arn, "v1", at(21))).toBe("set");
    expect(await s.getPolicy(ACCOUNT, arn)).toMatchObject({ defaultVersionId: "v1", updatedAt: at(21), createdAt: at(6) });
    expect((await s.getPolicyVersion(ACCOUNT, arn, "v1"))!.isDefault).toBe(true);
    expect((await s.getPolicyVersion(ACCOUNT, arn, "v3"))!.isDefault).toBe(false);
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v3")).toBe("deleted");
    expect(await s.deletePolicyVersion(ACCOUNT, arn, "v1")).toBe("default");
  });

  it("deletePolicy: refused while attached or with other versions; takes its versions; the name is free again", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createGroup(group("ops"));
    const p = policy("Doomed");
    await s.createPolicy(p, policyDoc("s3:*"));
    await s.attachPolicy(ACCOUNT, asUser("alice"), p.arn, true, 10);
    await s.attachPolicy(ACCOUNT, asGroup("ops"), p.arn, true, 10);
    await s.createPolicyVersion(ACCOUNT, p.arn, policyDoc("s3:Get*"), true, at(10), 5);

    expect(await s.deletePolicy(ACCOUNT, policyArn("nothing"))).toBe("not-found");
    expect(await s.deletePolicy("999999999999", p.arn)).toBe("not-found");
    expect(await s.deletePolicy(ACCOUNT, p.arn)).toBe("attached");
    await s.detachPolicy(ACCOUNT, asUser("alice"), p.arn);
    expect(await s.deletePolicy(ACCOUNT, p.arn)).toBe("attached");
    await s.detachPolicy(ACCOUNT, asGroup("ops"), p.arn);
    expect(await s.deletePolicy(ACCOUNT, p.arn)).toBe("has-versions");
    expect(await s.deletePolicyVersion(ACCOUNT, p.arn, "v1")).toBe("deleted");
    expect(await s.deletePolicy(ACCOUNT, p.arn)).toBe("deleted");
    expect(await s.getPolicy(ACCOUNT, p.arn)).toBeUndefined();
    expect(await s.listPolicyVersions(ACCOUNT, p.arn)).toBeUndefined();
    expect(await s.getPolicyVersion(ACCOUNT, p.arn, "v2")).toBeUndefined();
    expect(await s.deletePolicy(ACCOUNT, p.arn)).toBe("not-found");
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), p.arn, true, 10)).toBe("no-policy");

    // A new policy of that name starts again at v1.
    expect(await s.createPolicy(policy("DOOMED", { policyId: "ANPANEWDOOMEDXXXXXX" }), "{}")).toBe("created");
    expect((await s.listPolicyVersions(ACCOUNT, policyArn("DOOMED")))!.map((v) => v.versionId)).toEqual(["v1"]);
  });

  it("attachments: idempotent, the per-owner limit, no-owner, no-policy, AWS managed ARNs, detach, lists, renames", async () => {
    const s = await fresh();
    await s.createUser(user("alice"));
    await s.createUser(user("Bob"));
    await s.createGroup(group("ops"));
    await s.createGroup(group("Devs"));
    const mine = policy("Mine");
    await s.createPolicy(mine, "{}");
    const readOnly = awsPolicyArn("ReadOnlyAccess");
    const admin = awsPolicyArn("AdministratorAccess");

    expect(await s.attachPolicy(ACCOUNT, asUser("nobody"), readOnly, false, 10)).toBe("no-owner");
    expect(await s.attachPolicy(ACCOUNT, asGroup("alice"), readOnly, false, 10)).toBe("no-owner");
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), policyArn("nothing"), true, 10)).toBe("no-policy");
    expect(await s.attachPolicy("999999999999", asUser("alice"), readOnly, false, 10)).toBe("no-owner");

    expect(await s.attachPolicy(ACCOUNT, asUser("ALICE"), readOnly, false, 2)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), mine.arn, true, 2)).toBe("attached");
    // Already attached: no new attachment, so not refused by the limit either.
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), mine.arn, true, 2)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), readOnly, false, 1)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asUser("alice"), admin, false, 2)).toBe("limit");
    expect(await s.attachPolicy(ACCOUNT, asUser("bob"), admin, false, 2)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asGroup("OPS"), mine.arn, true, 10)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asGroup("devs"), mine.arn, true, 10)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asGroup("devs"), readOnly, false, 10)).toBe("attached");

    // ARNs ascending (by byte: the account's digits before "aws").
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("alice"))).toEqual([mine.arn, readOnly]);
    expect(await s.listAttachedPolicies(ACCOUNT, asGroup("devs"))).toEqual([mine.arn, readOnly]);
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("bob"))).toEqual([admin]);
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("nobody"))).toBeUndefined();
    expect(await s.listAttachedPolicies(ACCOUNT, asGroup("nobody"))).toBeUndefined();
    await s.createGroup(group("empty"));
    expect(await s.listAttachedPolicies(ACCOUNT, asGroup("empty"))).toEqual([]);

    expect(await s.listEntitiesForPolicy(ACCOUNT, mine.arn)).toEqual({ users: [user("alice")], groups: [group("Devs"), group("ops")], roles: [] });
    expect(await s.listEntitiesForPolicy(ACCOUNT, readOnly)).toEqual({ users: [user("alice")], groups: [group("Devs")], roles: [] });
    expect(await s.listEntitiesForPolicy(ACCOUNT, policyArn("nothing"))).toEqual({ users: [], groups: [], roles: [] });
    expect(await s.listEntitiesForPolicy("999999999999", readOnly)).toEqual({ users: [], groups: [], roles: [] });
    expect(await s.countAttachments(ACCOUNT, readOnly)).toBe(2);
    expect(await s.countAttachments(ACCOUNT, admin)).toBe(1);

    // Attachments follow a renamed user; a new user with the old name has none.
    await s.updateUser(ACCOUNT, "alice", { newUserName: "zoe", newPath: "/z/" });
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("zoe"))).toEqual([mine.arn, readOnly]);
    expect((await s.listEntitiesForPolicy(ACCOUNT, mine.arn)).users).toEqual([{ ...user("alice"), userName: "zoe", path: "/z/" }]);
    await s.createUser(user("alice", "/", "AIDANEWALICEXXXXXXXX"));
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("alice"))).toEqual([]);

    expect(await s.detachPolicy(ACCOUNT, asUser("nobody"), readOnly)).toBe("no-owner");
    expect(await s.detachPolicy(ACCOUNT, asUser("alice"), readOnly)).toBe("not-attached");
    expect(await s.detachPolicy(ACCOUNT, asUser("ZOE"), readOnly)).toBe("detached");
    expect(await s.detachPolicy(ACCOUNT, asUser("zoe"), readOnly)).toBe("not-attached");
    expect(await s.detachPolicy(ACCOUNT, asGroup("devs"), mine.arn)).toBe("detached");
    expect(await s.listAttachedPolicies(ACCOUNT, asUser("zoe"))).toEqual([mine.arn]);
    expect(await s.listEntitiesForPolicy(ACCOUNT, mine.arn)).toEqual({
      users: [{ ...user("alice"), userName: "zoe", path: "/z/" }],
      groups: [group("ops")],
      roles: [],
    });
    expect(await s.countAttachments(ACCOUNT, mine.arn)).toBe(2);
    // Room again under the limit.
    expect(await s.attachPolicy(ACCOUNT, asUser("zoe"), admin, false, 2)).toBe("attached");
  });

  it("effectivePolicies: the user's inline and attached, then each group's by name; default versions; AWS managed", async () => {
    const s = await fresh();
    const alice = user("alice");
    await s.createUser(alice);
    await s.createUser(user("bob"));
    for (const n of ["beta", "Alpha", "outsider"]) await s.createGroup(group(n));
    await s.addUserToGroup(ACCOUNT, "beta", "alice", 10);
    await s.addUserToGroup(ACCOUNT, "alpha", "alice", 10);
    await s.addUserToGroup(ACCOUNT, "outsider", "bob", 10);

    expect(await s.effectivePolicies(ACCOUNT, alice.userId)).toEqual([]);
    expect(await s.effectivePolicies(ACCOUNT, "AIDANOSUCHUSERXXXXXX")).toBeUndefined();
    expect(await s.effectivePolicies("999999999999", alice.userId)).toBeUndefined();

    const zeta = policy("Zeta", { path: "/p/" });
    await s.createPolicy(zeta, policyDoc("zeta:v1"));
    await s.createPolicyVersion(ACCOUNT, zeta.arn, policyDoc("zeta:v2"), true, at(10), 5);
    await s.createPolicyVersion(ACCOUNT, zeta.arn, policyDoc("zeta:v3"), false, at(11), 5);
    const shared = policy("shared");
    await s.createPolicy(shared, policyDoc("shared:v1"));
    const readOnly = awsPolicyArn("ReadOnlyAccess");

    await s.putInlinePolicy(ACCOUNT, asUser("alice"), "b-inline", policyDoc("b:*"), 10, 2048);
    await s.putInlinePolicy(ACCOUNT, asUser("alice"), "A-inline", policyDoc("a:*"), 10, 2048);
    await s.attachPolicy(ACCOUNT, asUser("alice"), readOnly, false, 10);
    await s.attachPolicy(ACCOUNT, asUser("alice"), zeta.arn, true, 10);
    await s.putInlinePolicy(ACCOUNT, asGroup("beta"), "beta-inline", policyDoc("beta:*", "Deny"), 10, 5120);
    await s.attachPolicy(ACCOUNT, asGroup("beta"), readOnly, false, 10);
    await s.attachPolicy(ACCOUNT, asGroup("alpha"), shared.arn, true, 10);
    await s.putInlinePolicy(ACCOUNT, asGroup("alpha"), "alpha-2", policyDoc("alpha2:*"), 10, 5120);
    await s.putInlinePolicy(ACCOUNT, asGroup("alpha"), "alpha-1", policyDoc("alpha1:*"), 10, 5120);
    // Policies of a group alice is not in, and of another user, are not hers.
    await s.putInlinePolicy(ACCOUNT, asGroup("outsider"), "no", policyDoc("no:*"), 10, 5120);
    await s.attachPolicy(ACCOUNT, asGroup("outsider"), shared.arn, true, 10);
    await s.putInlinePolicy(ACCOUNT, asUser("bob"), "no", policyDoc("no:*"), 10, 2048);

    const viaAlice = { kind: "user", name: "alice" } as const;
    const viaAlpha = { kind: "group", name: "Alpha" } as const;
    const viaBeta = { kind: "group", name: "beta" } as const;
    const inline = (via: EffectivePolicy["via"], name: string, text: string): EffectivePolicy => ({
      via,
      kind: "inline",
      name,
      arn: null,
      versionId: null,
      document: text,
    });
    const expected: EffectivePolicy[] = [
      inline(viaAlice, "A-inline", policyDoc("a:*")),
      inline(viaAlice, "b-inline", policyDoc("b:*")),
      { via: viaAlice, kind: "managed", name: "Zeta", arn: zeta.arn, versionId: "v2", document: policyDoc("zeta:v2") },
      { via: viaAlice, kind: "managed", name: "ReadOnlyAccess", arn: readOnly, versionId: null, document: null },
      inline(viaAlpha, "alpha-1", policyDoc("alpha1:*")),
      inline(viaAlpha, "alpha-2", policyDoc("alpha2:*")),
      { via: viaAlpha, kind: "managed", name: "shared", arn: shared.arn, versionId: "v1", document: policyDoc("shared:v1") },
      inline(viaBeta, "beta-inline", policyDoc("beta:*", "Deny")),
      { via: viaBeta, kind: "managed", name: "ReadOnlyAccess", arn: readOnly, versionId: null, document: null },
    ];
    expect(await s.effectivePolicies(ACCOUNT, alice.userId)).toEqual(expected);

    // A new default version, a rename, a group left: the next read shows them.
    await s.setDefaultPolicyVersion(ACCOUNT, zeta.arn, "v3", at(12));
    await s.updateUser(ACCOUNT, "alice", { newUserName: "Alicia" });
    await s.removeUserFromGroup(ACCOUNT, "alpha", "alicia");
    const viaAlicia = { kind: "user", name: "Alicia" } as const;
    expect(await s.effectivePolicies(ACCOUNT, alice.userId)).toEqual([
      inline(viaAlicia, "A-inline", policyDoc("a:*")),
      inline(viaAlicia, "b-inline", policyDoc("b:*")),
      { via: viaAlicia, kind: "managed", name: "Zeta", arn: zeta.arn, versionId: "v3", document: policyDoc("zeta:v3") },
      { via: viaAlicia, kind: "managed", name: "ReadOnlyAccess", arn: readOnly, versionId: null, document: null },
      ...expected.slice(7),
    ]);
    // Group-only policies reach a user with none of their own.
    await s.createUser(user("carol"));
    await s.addUserToGroup(ACCOUNT, "beta", "carol", 10);
    expect(await s.effectivePolicies(ACCOUNT, user("carol").userId)).toEqual(expected.slice(7));
  });

  it("addUserToGroup holds under concurrency: the per-user limit; deleteGroup racing it leaves no member behind", async () => {
    const s = await fresh();
    await s.createUser(user("joiner"));
    const names = Array.from({ length: 8 }, (_, i) => `club${i}`);
    for (const n of names) await s.createGroup(group(n));
    const results = await Promise.all(names.map((n) => s.addUserToGroup(ACCOUNT, n, "joiner", 5)));
    expect(results.filter((r) => r === "added")).toHaveLength(5);
    expect(results.filter((r) => r === "limit")).toHaveLength(3);
    expect((await s.listGroupsForUser(ACCOUNT, "joiner", { limit: 100 }))!.items).toHaveLength(5);

    // The same group, over and over: one membership.
    const again = await Promise.all(Array.from({ length: 8 }, () => s.addUserToGroup(ACCOUNT, "club0", "joiner", 8)));
    expect(new Set(again)).toEqual(new Set(["added"]));

    const users = Array.from({ length: 4 }, (_, i) => `member${i}`);
    for (const n of users) await s.createUser(user(n));
    for (let round = 0; round < 6; round++) {
      const name = `doomed${round}`;
      await s.createGroup(group(name, "/", `AGPADOOMED${round}XXXXXXXX`));
      const calls: Promise<string>[] = users.map((u) => s.addUserToGroup(ACCOUNT, name, u, 10));
      const slot = round % (users.length + 1);
      calls.splice(slot, 0, s.deleteGroup(ACCOUNT, name));
      const outcome = await Promise.all(calls);
      const [deletion] = outcome.splice(slot, 1);
      const deleted = deletion === "deleted";
      if (deleted) {
        expect(outcome).toEqual(users.map(() => "no-group"));
        expect(await s.getGroup(ACCOUNT, name)).toBeUndefined();
      } else {
        // Refused because one member came first; the group stayed, so every one joined.
        expect(deletion).toBe("has-members");
        expect(outcome).toEqual(users.map(() => "added"));
        expect((await s.listGroupMembers(ACCOUNT, name, { limit: 100 }))!.items).toHaveLength(users.length);
      }
      for (const u of users) {
        const groups = (await s.listGroupsForUser(ACCOUNT, u, { limit: 100 }))!.items.map((g) => g.groupName);
        expect(groups.includes(name)).toBe(!deleted);
        await s.removeUserFromGroup(ACCOUNT, name, u);
      }
    }
    for (const u of users) expect(await s.deleteUser(ACCOUNT, u)).toBe("deleted");
  });

  it("putInlinePolicy holds under concurrency: the aggregate size limit", async () => {
    const s = await fresh();
    await s.createUser(user("writer"));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.putInlinePolicy(ACCOUNT, asUser("writer"), `p${i}`, policyDoc(`s${i}:*`), 300, 1000)),
    );
    expect(results.filter((r) => r === "put")).toHaveLength(3);
    expect(results.filter((r) => r === "too-large")).toHaveLength(5);
    expect(await s.listInlinePolicies(ACCOUNT, asUser("writer"))).toHaveLength(3);
  });

  it("attachPolicy holds under concurrency: the per-owner limit; deletePolicy racing it never leaves an attachment", async () => {
    const s = await fresh();
    await s.createUser(user("hoarder"));
    await s.createGroup(group("hoarders"));
    for (const owner of [asUser("hoarder"), asGroup("hoarders")]) {
      const arns = Array.from({ length: 8 }, (_, i) => awsPolicyArn(`Policy${i}`));
      const results = await Promise.all(arns.map((arn) => s.attachPolicy(ACCOUNT, owner, arn, false, 5)));
      expect(results.filter((r) => r === "attached")).toHaveLength(5);
      expect(results.filter((r) => r === "limit")).toHaveLength(3);
      expect(await s.listAttachedPolicies(ACCOUNT, owner)).toHaveLength(5);
    }

    const owners = [asUser("a0"), asUser("a1"), asGroup("g0"), asGroup("g1")];
    for (const o of owners) await (o.kind === "user" ? s.createUser(user(o.name)) : s.createGroup(group(o.name)));
    for (let round = 0; round < 6; round++) {
      const p = policy(`Contested${round}`);
      await s.createPolicy(p, "{}");
      const calls: Promise<string>[] = owners.map((o) => s.attachPolicy(ACCOUNT, o, p.arn, true, 10));
      const slot = round % (owners.length + 1);
      calls.splice(slot, 0, s.deletePolicy(ACCOUNT, p.arn));
      const outcome = await Promise.all(calls);
      const [deletion] = outcome.splice(slot, 1);
      const attached = outcome.filter((r) => r === "attached").length;
      const entities = await s.listEntitiesForPolicy(ACCOUNT, p.arn);
      expect(entities.users.length + entities.groups.length).toBe(attached);
      if (deletion === "deleted") {
        expect(outcome).toEqual(owners.map(() => "no-policy"));
        expect(await s.getPolicy(ACCOUNT, p.arn)).toBeUndefined();
      } else {
        // Refused because one attachment came first; the policy stayed, so every one attached.
        expect(deletion).toBe("attached");
        expect(outcome).toEqual(owners.map(() => "attached"));
        expect((await s.getPolicy(ACCOUNT, p.arn))!.attachmentCount).toBe(owners.length);
      }
      for (const o of owners) await s.detachPolicy(ACCOUNT, o, p.arn);
    }
  });

  it("createPolicyVersion holds under concurrency: the version limit, distinct ids, one default", async () => {
    const s = await fresh();
    const p = policy("Busy");
    await s.createPolicy(p, "{}");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.createPolicyVersion(ACCOUNT, p.arn, policyDoc(`v:${i}`), i % 2 === 0, at(10 + i), 5)),
    );
    const made = results.filter((r): r is { versionId: string } => typeof r === "object").map((r) => r.versionId);
    expect(made.sort()).toEqual(["v2", "v3", "v4", "v5"]);
    expect(results.filter((r) => r === "limit")).toHaveLength(4);
    const versions = (await s.listPolicyVersions(ACCOUNT, p.arn))!;
    expect(versions.map((v) => v.versionId)).toEqual(["v5", "v4", "v3", "v2", "v1"]);
    expect(versions.filter((v) => v.isDefault)).toHaveLength(1);
    expect(versions.find((v) => v.isDefault)!.versionId).toBe((await s.getPolicy(ACCOUNT, p.arn))!.defaultVersionId);

    // Deletions racing creations: never more than the limit, never an id made twice.
    const mixed = await Promise.all([
      s.deletePolicyVersion(ACCOUNT, p.arn, "v2"),
      s.createPolicyVersion(ACCOUNT, p.arn, "{}", false, at(30), 5),
      s.deletePolicyVersion(ACCOUNT, p.arn, "v3"),
      s.createPolicyVersion(ACCOUNT, p.arn, "{}", false, at(31), 5),
      s.createPolicyVersion(ACCOUNT, p.arn, "{}", false, at(32), 5),
    ]);
    const after = (await s.listPolicyVersions(ACCOUNT, p.arn))!.map((v) => v.versionId);
    expect(after.length).toBeLessThanOrEqual(5);
    expect(new Set(after).size).toBe(after.length);
    const created = mixed.filter((r): r is { versionId: string } => typeof r === "object").map((r) => r.versionId);
    for (const id of created) expect(["v6", "v7", "v8"]).toContain(id);
    expect(new Set(created).size).toBe(created.length);
  });

  it("createGroup and createPolicy hold under concurrency: one of a name", async () => {
    const s = await fresh();
    const groups = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.createGroup(group(i % 2 ? "racers" : "RACERS", "/", `AGPARACER${i}XXXXXXXXX`))),
    );
    expect(groups.filter((r) => r === "created")).toHaveLength(1);
    const policies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.createPolicy(policy(i % 2 ? "Racer" : "racer", { path: `/p${i}/`, policyId: `ANPARACER${i}XXXXXXXXX` }), "{}"),
      ),
    );
    expect(policies.filter((r) => r === "created")).toHaveLength(1);
    const [only] = await s.listPolicies(ACCOUNT);
    expect((await s.listPolicyVersions(ACCOUNT, only!.arn))!.map((v) => v.versionId)).toEqual(["v1"]);
  });
  // --- roles (issue 14) ---

  it("roles: case-insensitive names, conflicts, every member round-trips, listing by path with pages", async () => {
    const s = await fresh();
    const ops = role("Deployer", {
      path: "/ops/",
      description: "deploys things",
      maxSessionDuration: 43200,
      tags: [{ key: "Team", value: "blue" }, { key: "cost", value: "" }],
    });
    expect(await s.createRole(ops)).toBe("created");
    expect(await s.createRole(role("DEPLOYER", { roleId: "AROAOTHERXXXXXXXXXXXX" }))).toBe("exists");
    expect(await s.createRole(role("other", { roleId: ops.roleId }))).toBe("exists"); // the id is taken
    expect(await s.getRole(ACCOUNT, "deployer")).toEqual(ops);
    expect(await s.getRole("999999999999", "deployer")).toBeUndefined();
    expect(await s.getRole(ACCOUNT, "nobody")).toBeUndefined();
    // A user, a group and a role may share a name.
    expect(await s.createUser(user("shared"))).toBe("created");
    expect(await s.createGroup(group("shared"))).toBe("created");
    expect(await s.createRole(role("shared"))).toBe("created");
    for (const n of ["bees", "Cats"]) expect(await s.createRole(role(n))).toBe("created");

    const first = await s.listRoles(ACCOUNT, { pathPrefix: "/", limit: 2 });
    expect(first.items.map((r) => r.roleName)).toEqual(["bees", "Cats"]);
    expect(first.next).toBe("cats");
    const second = await s.listRoles(ACCOUNT, { pathPrefix: "/", limit: 2, after: first.next });
    expect(second.items).toEqual([ops, role("shared")]);
    expect(second.next).toBeUndefined();
    expect((await s.listRoles(ACCOUNT, { pathPrefix: "/ops", limit: 10 })).items).toEqual([ops]);
    expect(await s.listRoles("999999999999", { pathPrefix: "/", limit: 10 })).toEqual({ items: [] });
  });

  it("updateRole: each member alone or together, by a case-insensitive name; the role as changed", async () => {
    const s = await fresh();
    const r = role("Changer", { description: "before" });
    await s.createRole(r);
    expect(await s.updateRole(ACCOUNT, "nobody", { description: "x" })).toBeUndefined();
    expect(await s.updateRole(ACCOUNT, "CHANGER", { maxSessionDuration: 7200 })).toEqual({ ...r, maxSessionDuration: 7200 });
    expect(await s.updateRole(ACCOUNT, "changer", { description: "" })).toEqual({ ...r, description: "", maxSessionDuration: 7200 });
    const trust = trustDoc(`arn:aws:iam::${ACCOUNT}:user/alice`);
    const all = { description: "after", maxSessionDuration: 3600, assumeRolePolicyDocument: trust };
    expect(await s.updateRole(ACCOUNT, "Changer", all)).toEqual({ ...r, ...all });
    expect(await s.updateRole(ACCOUNT, "Changer", {})).toEqual({ ...r, ...all });
    expect(await s.getRole(ACCOUNT, "changer")).toEqual({ ...r, ...all });
  });

  it("role tags: keys replaced case-insensitively in place, the limit counts the result, untag ignores unknown keys", async () => {
    const s = await fresh();
    await s.createRole(role("tagged", { tags: [{ key: "Team", value: "blue" }] }));
    expect(await s.tagRole(ACCOUNT, "nobody", [{ key: "a", value: "1" }], 50)).toBe("not-found");
    expect(await s.tagRole(ACCOUNT, "TAGGED", [{ key: "env", value: "prod" }, { key: "TEAM", value: "red" }], 50)).toBe("tagged");
    expect((await s.getRole(ACCOUNT, "tagged"))!.tags).toEqual([
      { key: "TEAM", value: "red" },
      { key: "env", value: "prod" },
    ]);
    // Two tags on the role; replacing one and adding one makes three, over a limit of two.
    expect(await s.tagRole(ACCOUNT, "tagged", [{ key: "env", value: "dev" }, { key: "x", value: "" }], 2)).toBe("limit");
    expect(await s.tagRole(ACCOUNT, "tagged", [{ key: "Env", value: "dev" }], 2)).toBe("tagged");
    expect((await s.getRole(ACCOUNT, "tagged"))!.tags).toEqual([
      { key: "TEAM", value: "red" },
      { key: "Env", value: "dev" },
    ]);
    expect(await s.untagRole(ACCOUNT, "nobody", ["env"])).toBe(false);
    expect(await s.untagRole(ACCOUNT, "tagged", ["team", "absent"])).toBe(true);
    expect((await s.getRole(ACCOUNT, "tagged"))!.tags).toEqual([{ key: "Env", value: "dev" }]);
    expect(await s.untagRole(ACCOUNT, "tagged", ["ENV"])).toBe(true);
    expect((await s.getRole(ACCOUNT, "tagged"))!.tags).toEqual([]);
  });

  it("role policies: the owner kind role for inline policies and attachments; entities, counts and deletePolicy see roles", async () => {
    const s = await fresh();
    await s.createRole(role("runner"));
    await s.createRole(role("Builder", { path: "/ci/" }));
    await s.createUser(user("runner"));
    const mine = policy("Mine");
    await s.createPolicy(mine, "{}");
    const readOnly = awsPolicyArn("ReadOnlyAccess");

    expect(await s.putInlinePolicy(ACCOUNT, asRole("nobody"), "p", policyDoc("s3:*"), 10, 10240)).toBe("no-owner");
    expect(await s.putInlinePolicy(ACCOUNT, asRole("RUNNER"), "Read", policyDoc("s3:Get*"), 6000, 10240)).toBe("put");
    expect(await s.putInlinePolicy(ACCOUNT, asRole("runner"), "more", policyDoc("s3:Put*"), 5000, 10240)).toBe("too-large");
    expect(await s.putInlinePolicy(ACCOUNT, asRole("runner"), "Read", policyDoc("s3:*"), 9000, 10240)).toBe("put");
    expect(await s.getInlinePolicy(ACCOUNT, asRole("runner"), "Read")).toBe(policyDoc("s3:*"));
    expect(await s.getInlinePolicy(ACCOUNT, asRole("runner"), "read")).toBe("not-found");
    expect(await s.getInlinePolicy(ACCOUNT, asRole("nobody"), "Read")).toBe("no-owner");
    // The user of the same name has none: owners are kept apart by kind.
    expect(await s.listInlinePolicies(ACCOUNT, asUser("runner"))).toEqual([]);
    expect(await s.listInlinePolicies(ACCOUNT, asRole("runner"))).toEqual(["Read"]);
    expect(await s.listInlinePolicies(ACCOUNT, asRole("nobody"))).toBeUndefined();

    expect(await s.attachPolicy(ACCOUNT, asRole("nobody"), readOnly, false, 10)).toBe("no-owner");
    expect(await s.attachPolicy(ACCOUNT, asRole("runner"), policyArn("nothing"), true, 10)).toBe("no-policy");
    expect(await s.attachPolicy(ACCOUNT, asRole("runner"), mine.arn, true, 1)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asRole("runner"), readOnly, false, 1)).toBe("limit");
    expect(await s.attachPolicy(ACCOUNT, asRole("runner"), readOnly, false, 10)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asRole("builder"), mine.arn, true, 10)).toBe("attached");
    expect(await s.attachPolicy(ACCOUNT, asUser("runner"), mine.arn, true, 10)).toBe("attached");
    expect(await s.listAttachedPolicies(ACCOUNT, asRole("runner"))).toEqual([mine.arn, readOnly]);
    expect(await s.listAttachedPolicies(ACCOUNT, asRole("nobody"))).toBeUndefined();

    expect(await s.listEntitiesForPolicy(ACCOUNT, mine.arn)).toEqual({
      users: [user("runner")],
      groups: [],
      roles: [role("Builder", { path: "/ci/" }), role("runner")],
    });
    expect(await s.countAttachments(ACCOUNT, mine.arn)).toBe(3);
    expect(await s.countAttachments(ACCOUNT, readOnly)).toBe(1);
    expect((await s.getPolicy(ACCOUNT, mine.arn))!.attachmentCount).toBe(3);
    expect((await s.listPolicies(ACCOUNT))[0]!.attachmentCount).toBe(3);

    // Attached to roles alone, a policy still cannot be deleted.
    await s.detachPolicy(ACCOUNT, asUser("runner"), mine.arn);
    expect(await s.deletePolicy(ACCOUNT, mine.arn)).toBe("attached");
    expect(await s.detachPolicy(ACCOUNT, asRole("nobody"), mine.arn)).toBe("no-owner");
    expect(await s.detachPolicy(ACCOUNT, asRole("BUILDER"), mine.arn)).toBe("detached");
    expect(await s.detachPolicy(ACCOUNT, asRole("builder"), mine.arn)).toBe("not-attached");
    expect(await s.deletePolicy(ACCOUNT, mine.arn)).toBe("attached");
    expect(await s.detachPolicy(ACCOUNT, asRole("runner"), mine.arn)).toBe("detached");
    expect(await s.deletePolicy(ACCOUNT, mine.arn)).toBe("deleted");
    expect(await s.deleteInlinePolicy(ACCOUNT, asRole("runner"), "Read")).toBe("deleted");
    expect(await s.deleteInlinePolicy(ACCOUNT, asRole("runner"), "Read")).toBe("not-found");
    expect(await s.deleteInlinePolicy(ACCOUNT, asRole("nobody"), "Read")).toBe("no-owner");
  });

  it("deleteRole refuses attached policies, then inline policies; the name is free again, with nothing of the old role", async () => {
    const s = await fresh();
    await s.createRole(role("doomed"));
    await s.putInlinePolicy(ACCOUNT, asRole("doomed"), "inline", policyDoc("s3:*"), 50, 10240);
    await s.attachPolicy(ACCOUNT, asRole("doomed"), awsPolicyArn("ReadOnlyAccess"), false, 10);

    expect(await s.deleteRole(ACCOUNT, "nobody")).toBe("not-found");
    expect(await s.deleteRole(ACCOUNT, "DOOMED")).toBe("has-attached-policies");
    await s.detachPolicy(ACCOUNT, asRole("doomed"), awsPolicyArn("ReadOnlyAccess"));
    expect(await s.deleteRole(ACCOUNT, "doomed")).toBe("has-inline-policies");
    await s.deleteInlinePolicy(ACCOUNT, asRole("doomed"), "inline");
    expect(await s.deleteRole(ACCOUNT, "Doomed")).toBe("deleted");
    expect(await s.getRole(ACCOUNT, "doomed")).toBeUndefined();
    expect(await s.effectiveRolePolicies(ACCOUNT, role("doomed").roleId)).toBeUndefined();
    expect(await s.deleteRole(ACCOUNT, "doomed")).toBe("not-found");
    const again = role("doomed", { roleId: "AROANEWDOOMEDXXXXXXXX" });
    expect(await s.createRole(again)).toBe("created");
    expect(await s.effectiveRolePolicies(ACCOUNT, again.roleId)).toEqual([]);
  });

  it("effectiveRolePolicies: inline by name, then attached by ARN; default versions; AWS managed; nobody else's", async () => {
    const s = await fresh();
    const r = role("worker");
    await s.createRole(r);
    await s.createRole(role("other"));
    const alice = user("alice");
    await s.createUser(alice);
    expect(await s.effectiveRolePolicies(ACCOUNT, r.roleId)).toEqual([]);
    expect(await s.effectiveRolePolicies(ACCOUNT, "AROANOSUCHROLEXXXXXXX")).toBeUndefined();
    expect(await s.effectiveRolePolicies("999999999999", r.roleId)).toBeUndefined();
    // A role's id is not a user's.
    expect(await s.effectivePolicies(ACCOUNT, r.roleId)).toBeUndefined();
    expect(await s.effectiveRolePolicies(ACCOUNT, alice.userId)).toBeUndefined();

    const zeta = policy("Zeta", { path: "/p/" });
    await s.createPolicy(zeta, policyDoc("zeta:v1"));
    await s.createPolicyVersion(ACCOUNT, zeta.arn, policyDoc("zeta:v2"), true, at(10), 5);
    const readOnly = awsPolicyArn("ReadOnlyAccess");
    await s.putInlinePolicy(ACCOUNT, asRole("worker"), "b-inline", policyDoc("b:*"), 10, 10240);
    await s.putInlinePolicy(ACCOUNT, asRole("worker"), "A-inline", policyDoc("a:*", "Deny"), 10, 10240);
    await s.attachPolicy(ACCOUNT, asRole("worker"), readOnly, false, 10);
    await s.attachPolicy(ACCOUNT, asRole("worker"), zeta.arn, true, 10);
    await s.putInlinePolicy(ACCOUNT, asRole("other"), "no", policyDoc("no:*"), 10, 10240);
    await s.putInlinePolicy(ACCOUNT, asUser("alice"), "no", policyDoc("no:*"), 10, 2048);

    const via = { kind: "role", name: "worker" } as const;
    expect(await s.effectiveRolePolicies(ACCOUNT, r.roleId)).toEqual([
      { via, kind: "inline", name: "A-inline", arn: null, versionId: null, document: policyDoc("a:*", "Deny") },
      { via, kind: "inline", name: "b-inline", arn: null, versionId: null, document: policyDoc("b:*") },
      { via, kind: "managed", name: "Zeta", arn: zeta.arn, versionId: "v2", document: policyDoc("zeta:v2") },
      { via, kind: "managed", name: "ReadOnlyAccess", arn: readOnly, versionId: null, document: null },
    ] satisfies EffectivePolicy[]);
    expect((await s.effectivePolicies(ACCOUNT, alice.userId))!.map((p) => p.name)).toEqual(["no"]);
  });

  it("deleteRole racing attachPolicy and putInlinePolicy never leaves a policy on a deleted role", async () => {
    const s = await fresh();
    const arns = Array.from({ length: 3 }, (_, i) => awsPolicyArn(`Racing${i}`));
    for (let round = 0; round < 6; round++) {
      const name = `contested${round}`;
      const r = role(name, { roleId: `AROACONTESTED${round}XXXXXXX` });
      await s.createRole(r);
      const calls: Promise<string>[] = [
        ...arns.map((arn) => s.attachPolicy(ACCOUNT, asRole(name), arn, false, 10)),
        s.putInlinePolicy(ACCOUNT, asRole(name), "inline", policyDoc("s3:*"), 10, 10240),
      ];
      const slot = round % (calls.length + 1);
      calls.splice(slot, 0, s.deleteRole(ACCOUNT, name));
      const outcome = await Promise.all(calls);
      const [deletion] = outcome.splice(slot, 1);
      if (deletion === "deleted") {
        expect(outcome).toEqual([...arns.map(() => "no-owner"), "no-owner"]);
        expect(await s.getRole(ACCOUNT, name)).toBeUndefined();
        expect(await s.effectiveRolePolicies(ACCOUNT, r.roleId)).toBeUndefined();
        for (const arn of arns) expect((await s.listEntitiesForPolicy(ACCOUNT, arn)).roles).toEqual([]);
      } else {
        // Refused because a policy came first; the role stayed, so every one landed.
        expect(["has-attached-policies", "has-inline-policies"]).toContain(deletion);
        expect(outcome).toEqual([...arns.map(() => "attached"), "put"]);
        expect(await s.effectiveRolePolicies(ACCOUNT, r.roleId)).toHaveLength(arns.length + 1);
        for (const arn of arns) await s.detachPolicy(ACCOUNT, asRole(name), arn);
        await s.deleteInlinePolicy(ACCOUNT, asRole(name), "inline");
        expect(await s.deleteRole(ACCOUNT, name)).toBe("deleted");
      }
    }
  });

  it("createRole and tagRole hold under concurrency: one role of a name; the tag limit", async () => {
    const s = await fresh();
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.createRole(role(i % 2 ? "racer" : "RACER", { roleId: `AROARACER${i}XXXXXXXXXXX` }))),
    );
    expect(created.filter((r) => r === "created")).toHaveLength(1);
    expect((await s.listRoles(ACCOUNT, { pathPrefix: "/", limit: 10 })).items).toHaveLength(1);

    const tagged = await Promise.all(
      Array.from({ length: 8 }, (_, i) => s.tagRole(ACCOUNT, "racer", [{ key: `k${i}a`, value: "" }, { key: `k${i}b`, value: "" }], 6)),
    );
    expect(tagged.filter((r) => r === "tagged")).toHaveLength(3);
    expect(tagged.filter((r) => r === "limit")).toHaveLength(5);
    expect((await s.getRole(ACCOUNT, "racer"))!.tags).toHaveLength(6);
    // Untagging racing tagging: every tag change is applied to the one before it, none lost.
    await Promise.all([s.untagRole(ACCOUNT, "racer", (await s.getRole(ACCOUNT, "racer"))!.tags.map((t) => t.key)), s.tagRole(ACCOUNT, "racer", [{ key: "late", value: "1" }], 50)]);
    const left = (await s.getRole(ACCOUNT, "racer"))!.tags.map((t) => t.key);
    expect(left).toEqual(["late"]);
  });

  it("a database of the schema before roles is upgraded: users, groups, policies and attachments kept; roles usable", async () => {
    store = await openBeforeRoles();
    const s = store;
    expect(await s.getUser(ACCOUNT, "veteran")).toEqual(OLD_USER);
    expect(await s.getGroup(ACCOUNT, "keepers")).toEqual(PRE_ROLES_GROUP);
    expect(await s.getPolicy(ACCOUNT, PRE_ROLES_POLICY.arn)).toEqual({ ...PRE_ROLES_POLICY, attachmentCount: 2 });
    expect((await s.effectivePolicies(ACCOUNT, OLD_USER.userId))!.map((p) => [p.via.kind, p.name])).toEqual([
      ["user", "Kept"],
      ["group", "Kept"],
    ]);
    expect(await s.createRole(role("newcomer"))).toBe("created");
    expect(await s.attachPolicy(ACCOUNT, asRole("newcomer"), PRE_ROLES_POLICY.arn, true, 10)).toBe("attached");
    expect(await s.listEntitiesForPolicy(ACCOUNT, PRE_ROLES_POLICY.arn)).toEqual({
      users: [OLD_USER],
      groups: [PRE_ROLES_GROUP],
      roles: [role("newcomer")],
    });
    expect(await s.countAttachments(ACCOUNT, PRE_ROLES_POLICY.arn)).toBe(3);
    expect((await s.effectiveRolePolicies(ACCOUNT, role("newcomer").roleId))!.map((p) => p.document)).toEqual([policyDoc("kept:*")]);
    expect(await s.deleteRole(ACCOUNT, "newcomer")).toBe("has-attached-policies");
  });

  // --- S3 (issue 13) ---

  it("buckets: one namespace across accounts (owned / taken), listed by name bytewise in pages, deleted by their owner only", async () => {
    const s = await fresh();
    await s.createAccount({ id: OTHER_ACCOUNT, createdAt: at(0) });
    expect(await s.createBucket(bucket("shared-name"))).toBe("created");
    expect(await s.createBucket(bucket("shared-name", ACCOUNT, "eu-west-1"))).toBe("owned");
    expect(await s.createBucket(bucket("shared-name", OTHER_ACCOUNT))).toBe("taken");
    // The refused creations changed nothing.
    expect(await s.getBucket("shared-name")).toEqual(bucket("shared-name"));
    expect(await s.getBucket("Shared-Name")).toBeUndefined();
    expect(await s.getBucket("missing")).toBeUndefined();

    // The store orders and filters; it does not judge names (`_` and `%` are LIKE wildcards elsewhere).
    const mine = ["b-2", "b.1", "a-bucket", "b-10", "zz", "b_x", "b%y", "shared-name"];
    for (const n of mine.filter((n) => n !== "shared-name")) expect(await s.createBucket(bucket(n))).toBe("created");
    expect(await s.createBucket(bucket("b-other", OTHER_ACCOUNT, "eu-west-1"))).toBe("created");
    const names = async (accountId: string, options: { prefix?: string; after?: string; limit: number }) =>
      (await s.listBuckets(accountId, options)).items.map((b) => b.name);
    expect(await names(ACCOUNT, { limit: 100 })).toEqual(bytewise(mine));
    expect(await names(ACCOUNT, { limit: 100 })).toEqual(["a-bucket", "b%y", "b-10", "b-2", "b.1", "b_x", "shared-name", "zz"]);
    expect((await s.listBuckets(OTHER_ACCOUNT, { limit: 100 })).items).toEqual([bucket("b-other", OTHER_ACCOUNT, "eu-west-1")]);

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await s.listBuckets(ACCOUNT, { after, limit: 3 });
      seen.push(...page.items.map((b) => b.name));
      expect(page.next).toBe(page.next === undefined ? undefined : page.items.at(-1)!.name);
      after = page.next;
    } while (after !== undefined);
    expect(seen).toEqual(bytewise(mine));

    expect(await names(ACCOUNT, { prefix: "b-", limit: 100 })).toEqual(["b-10", "b-2"]);
    expect(await names(ACCOUNT, { prefix: "b_", limit: 100 })).toEqual(["b_x"]);
    expect(await names(ACCOUNT, { prefix: "b%", limit: 100 })).toEqual(["b%y"]);
    expect(await names(ACCOUNT, { after: "b-3", limit: 100 })).toEqual(["b.1", "b_x", "shared-name", "zz"]);
    expect(await names(ACCOUNT, { prefix: "b", after: "b-2", limit: 100 })).toEqual(["b.1", "b_x"]);
    expect(await names(ACCOUNT, { prefix: "b", after: "c", limit: 100 })).toEqual([]);
    expect(await s.listBuckets(ACCOUNT, { prefix: "b", limit: 2 })).toEqual({ items: [bucket("b%y"), bucket("b-10")], next: "b-10" });

    expect(await s.deleteBucket(OTHER_ACCOUNT, "zz")).toBe("not-found");
    expect(await s.deleteBucket(ACCOUNT, "nope")).toBe("not-found");
    expect(await s.deleteBucket(ACCOUNT, "zz")).toBe("deleted");
    expect(await s.deleteBucket(ACCOUNT, "zz")).toBe("not-found");
    expect(await s.getBucket("zz")).toBeUndefined();
    // The name is free again, for anyone.
    expect(await s.createBucket(bucket("zz", OTHER_ACCOUNT))).toBe("created");
    expect((await s.getBucket("zz"))!.accountId).toBe(OTHER_ACCOUNT);
  });

  it("objects: every attribute round-trips (metadata in order), a replacement reports the old blob, delete returns the record", async () => {
    const s = await fresh();
    await s.createBucket(bucket("data"));
    expect(await s.putObject(object("nowhere", "k"))).toBe("no-bucket");

    const rich = object("data", "docs/report.pdf", {
      size: 5 * 1024 ** 4, // 5 TiB: S3's largest object
      etag: '"40ff9ecfca33194e615a97a8c6991b0a-2"',
      contentType: "application/pdf",
      // "1" would move first in a plain JS object; the order given is kept.
      metadata: [
        { name: "zeta", value: "last letter" },
        { name: "1", value: "one" },
        { name: "alpha", value: "Ünïcødé ✓ \"quoted\"" },
      ],
      headers: {
        contentEncoding: "gzip",
        contentDisposition: 'attachment; filename="report.pdf"',
        contentLanguage: "en-GB",
        cacheControl: "max-age=60",
        expires: "Thu, 01 Jan 2026 00:00:00 GMT",
      },
      checksum: { algorithm: "CRC32C", value: "yZRlqg==-2", type: "COMPOSITE" },
      lastModified: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
      blobId: "blob-rich",
    });
    expect(await s.putObject(rich)).toEqual({ replacedBlobId: null });
    const got = await s.getObject("data", "docs/report.pdf");
    expect(got).toEqual(rich);
    expect(got!.metadata.map((m) => m.name)).toEqual(["zeta", "1", "alpha"]);
    expect(Object.keys(got!.headers)).toHaveLength(5);
    expect(await s.getObject("data", "docs/REPORT.pdf")).toBeUndefined();
    expect(await s.getObject("elsewhere", "docs/report.pdf")).toBeUndefined();

    const plain = object("data", "docs/report.pdf", { blobId: "blob-plain", checksum: { algorithm: "SHA256", value: "x", type: "FULL_OBJECT" } });
    expect(await s.putObject(plain)).toEqual({ replacedBlobId: "blob-rich" });
    expect(await s.getObject("data", "docs/report.pdf")).toEqual(plain);
    expect((await s.getObject("data", "docs/report.pdf"))!.headers).toEqual({});

    expect(await s.deleteObject("data", "docs/report.pdf")).toEqual(plain);
    expect(await s.deleteObject("data", "docs/report.pdf")).toBeUndefined();
    expect(await s.deleteObject("nowhere", "docs/report.pdf")).toBeUndefined();
    expect(await s.getObject("data", "docs/report.pdf")).toBeUndefined();
    expect(await s.listObjects("nowhere", { limit: 10 })).toEqual({ items: [] });
  });

  it("deleteBucket: not-empty while it holds an object or an upload in progress; then deleted, and writes find it gone", async () => {
    const s = await fresh();
    await s.createBucket(bucket("box"));
    await s.putObject(object("box", "k"));
    expect(await s.deleteBucket(ACCOUNT, "box")).toBe("not-empty");
    await s.deleteObject("box", "k");
    expect(await s.createUpload(upload("box", "k", "u1"))).toBe("created");
    expect(await s.deleteBucket(ACCOUNT, "box")).toBe("not-empty");
    expect(await s.abortUpload("box", "k", "u1")).toEqual({ partBlobIds: [] });
    expect(await s.deleteBucket(ACCOUNT, "box")).toBe("deleted");
    expect(await s.putObject(object("box", "k"))).toBe("no-bucket");
    expect(await s.createUpload(upload("box", "k", "u2"))).toBe("no-bucket");
    expect(await s.getBucket("box")).toBeUndefined();
  });

  /** Keys that tell bytewise order apart from UTF-16 order and from LIKE: wildcards, non-ASCII, astral planes. */
  const KEYS = [
    "a", "A", "a b", "a%", "a%b", "a_b", "aXb", "ab", "a/", "a/b", "a/c/d", "a/c/e", "a0", "b", "é", "\u007f", "\u0080x",
    "\ud7ffa", "\ue000", "\ufffd", "\uffff", "\u{10000}", "\u{1f600}", "\u{1f600}/x", "\u{1f601}", "\u{10ffff}",
    "\u{10ffff}\u{10ffff}z", "p\u{10ffff}", "p\u{10ffff}a", "q", "日本/東京", "日本/大阪", "100%/done", "under_score/x",
  ];
  const greater = (k: string, bound: string) => Buffer.compare(Buffer.from(k), Buffer.from(bound)) > 0;

  it("listObjects: bytewise order (not UTF-16's), LIKE wildcards literal in prefixes, pages, `after` any string, beyondPrefix", async () => {
    const s = await fresh();
    await s.createBucket(bucket("keys"));
    await s.createBucket(bucket("neighbour"));
    for (const k of KEYS) await s.putObject(object("keys", k));
    await s.putObject(object("neighbour", "a"));
    const sorted = bytewise(KEYS);
    // The test means something: bytewise differs from JavaScript's default order here.
    expect(sorted).not.toEqual([...KEYS].sort());
    const list = async (options: KeyRange & { limit?: number }) =>
      (await s.listObjects("keys", { limit: 1000, ...options })).items.map((o) => o.key);

    const all = await s.listObjects("keys", { limit: 1000 });
    expect(all.items.map((o) => o.key)).toEqual(sorted);
    expect(all.items[0]).toEqual(object("keys", sorted[0]!));
    expect(all.next).toBeUndefined();

    // Pages of 4, each resumed from the previous page's `next`.
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await s.listObjects("keys", { after, limit: 4 });
      expect(page.items.length).toBeLessThanOrEqual(4);
      paged.push(...page.items.map((o) => o.key));
      if (page.next !== undefined) expect(page.next).toBe(page.items.at(-1)!.key);
      after = page.next;
    } while (after !== undefined);
    expect(paged).toEqual(sorted);

    const prefixes = ["", "a", "a%", "a_", "a/", "a/c/", "A", "100%", "under_", "\u{1f600}", "p\u{10ffff}", "\u{10ffff}", "\ud7ff", "日本/", "none"];
    const afters = [undefined, "", "a$", "a%a", "a/zzz", "a0", "\ufffe", "\u{1f5ff}", "\u{10ffff}\u{10ffff}", "p\u{10ffff}", "zzzz"];
    for (const prefix of prefixes) {
      for (const a of afters) {
        const expected = sorted.filter((k) => k.startsWith(prefix) && (a === undefined || greater(k, a)));
        expect(await list({ prefix, after: a }), `prefix ${JSON.stringify(prefix)} after ${JSON.stringify(a)}`).toEqual(expected);
      }
    }
    expect(await list({ prefix: "a%" })).toEqual(["a%", "a%b"]);
    expect(await list({ prefix: "a_" })).toEqual(["a_b"]);

    for (const beyond of ["", "a", "a/", "a/c/", "\u{1f600}", "\u{10ffff}", "p", "日本/", "zzz"]) {
      const expected = sorted.filter((k) => !k.startsWith(beyond) && greater(k, beyond));
      expect(await list({ beyondPrefix: beyond }), `beyond ${JSON.stringify(beyond)}`).toEqual(expected);
      expect(await list({ beyondPrefix: beyond, prefix: "a" })).toEqual(expected.filter((k) => k.startsWith("a")));
    }
  });

  it("listObjects serves delimiter grouping from above: CommonPrefixes by skipping each group with beyondPrefix", async () => {
    const s = await fresh();
    await s.createBucket(bucket("tree"));
    for (const k of KEYS) await s.putObject(object("tree", k));

    /** ListObjects with a delimiter as the S3 layer would build it: a few keys per store call, whole groups skipped. */
    async function grouped(prefix: string, delimiter: string) {
      const contents: string[] = [];
      const commonPrefixes: string[] = [];
      let range: KeyRange = { prefix };
      let calls = 0;
      for (;;) {
        const page = await s.listObjects("tree", { ...range, limit: 2 });
        calls++;
        let skipped = false;
        for (const o of page.items) {
          const cut = o.key.indexOf(delimiter, prefix.length);
          if (cut < 0) {
            contents.push(o.key);
            continue;
          }
          const group = o.key.slice(0, cut + delimiter.length);
          commonPrefixes.push(group);
          range = { prefix, beyondPrefix: group };
          skipped = true;
          break;
        }
        if (skipped) continue;
        if (page.next === undefined) return { contents, commonPrefixes, calls };
        range = { prefix, after: page.next };
      }
    }
    for (const [prefix, delimiter] of [["", "/"], ["a", "/"], ["a/", "/"], ["", "%"], ["", "\u{10ffff}"], ["日本", "/"]] as const) {
      const under = bytewise(KEYS).filter((k) => k.startsWith(prefix));
      const expectedPrefixes = [...new Set(under.filter((k) => k.indexOf(delimiter, prefix.length) >= 0).map((k) => k.slice(0, k.indexOf(delimiter, prefix.length) + delimiter.length)))];
      const result = await grouped(prefix, delimiter);
      expect(result.contents).toEqual(under.filter((k) => k.indexOf(delimiter, prefix.length) < 0));
      expect(result.commonPrefixes).toEqual(expectedPrefixes);
    }
    expect((await grouped("", "/")).commonPrefixes).toEqual(["100%/", "a/", "under_score/", "\u{1f600}/", "日本/"].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it("multipart: create, get, parts replaced by number, listParts in pages, complete (stale parts refused), abort", async () => {
    const s = await fresh();
    await s.createBucket(bucket("mp"));
    expect(await s.createUpload(upload("gone", "k", "u0"))).toBe("no-bucket");
    const u1 = upload("mp", "big.bin", "upload-1", {
      contentType: "video/mp4",
      metadata: [
        { name: "b", value: "2" },
        { name: "a", value: "1" },
      ],
      headers: { cacheControl: "no-cache", contentDisposition: "inline" },
      checksumAlgorithm: "CRC32C",
      checksumType: "COMPOSITE",
    });
    expect(await s.createUpload(u1)).toBe("created");
    expect(await s.getUpload("mp", "big.bin", "upload-1")).toEqual(u1);
    expect(await s.getUpload("mp", "other.bin", "upload-1")).toBeUndefined();
    expect(await s.getUpload("other", "big.bin", "upload-1")).toBeUndefined();
    expect(await s.getUpload("mp", "big.bin", "upload-2")).toBeUndefined();

    expect(await s.putPart("mp", "other.bin", "upload-1", part(1))).toBe("no-upload");
    expect(await s.putPart("mp", "big.bin", "nope", part(1))).toBe("no-upload");
    expect(await s.listParts("mp", "big.bin", "upload-1", { limit: 10 })).toEqual({ items: [] });
    for (const n of [2, 1, 3]) expect(await s.putPart("mp", "big.bin", "upload-1", part(n))).toEqual({ replacedBlobId: null });
    const part2b = part(2, { blobId: "part-2b", size: 42, etag: '"b"', checksum: { algorithm: "CRC32C", value: "AAAAAA==" }, lastModified: at(11) });
    expect(await s.putPart("mp", "big.bin", "upload-1", part2b)).toEqual({ replacedBlobId: "part-2" });
    expect(await s.listParts("mp", "big.bin", "upload-1", { limit: 2 })).toEqual({ items: [part(1), part2b], next: "2" });
    expect(await s.listParts("mp", "big.bin", "upload-1", { after: 2, limit: 2 })).toEqual({ items: [part(3)] });
    expect(await s.listParts("mp", "big.bin", "upload-1", { after: 3, limit: 2 })).toEqual({ items: [] });
    expect(await s.listParts("mp", "other.bin", "upload-1", { limit: 2 })).toBeUndefined();

    await s.putObject(object("mp", "big.bin", { blobId: "old-big" }));
    const final = object("mp", "big.bin", { blobId: "manifest-1", etag: '"0123456789abcdef0123456789abcdef-3"', size: 2 * 5 * 1024 * 1024 + 42 });
    // Not this upload's key; parts that changed since the caller read them (2 was re-uploaded).
    expect(await s.completeUpload("upload-1", { ...final, key: "other.bin" }, [part(1)])).toBe("not-found");
    expect(await s.completeUpload("upload-1", final, [part(1), part(2), part(3)])).toBe("parts-changed");
    expect(await s.completeUpload("upload-1", final, [part(1), part(4)])).toBe("parts-changed");
    expect(await s.getUpload("mp", "big.bin", "upload-1")).toEqual(u1);
    expect((await s.listParts("mp", "big.bin", "upload-1", { limit: 10 }))!.items).toHaveLength(3);
    expect((await s.getObject("mp", "big.bin"))!.blobId).toBe("old-big");

    expect(await s.completeUpload("upload-1", final, [part(1), part2b, part(3)])).toEqual({
      partBlobIds: ["part-1", "part-2b", "part-3"],
      replacedBlobId: "old-big",
    });
    expect(await s.getObject("mp", "big.bin")).toEqual(final);
    expect(await s.getUpload("mp", "big.bin", "upload-1")).toBeUndefined();
    expect(await s.listParts("mp", "big.bin", "upload-1", { limit: 10 })).toBeUndefined();
    expect(await s.completeUpload("upload-1", final, [])).toBe("not-found");
    expect(await s.abortUpload("mp", "big.bin", "upload-1")).toBe("not-found");
    expect(await s.putPart("mp", "big.bin", "upload-1", part(4))).toBe("no-upload");

    // A subset of the parts makes the object; the others' blobs are reported too (for deletion).
    await s.createUpload(upload("mp", "subset", "upload-2"));
    for (const n of [1, 2, 3]) await s.putPart("mp", "subset", "upload-2", part(n, { blobId: `s-${n}` }));
    expect(await s.completeUpload("upload-2", object("mp", "subset"), [part(1, { blobId: "s-1" }), part(3, { blobId: "s-3" })])).toEqual({
      partBlobIds: ["s-1", "s-2", "s-3"],
      replacedBlobId: null,
    });

    await s.createUpload(upload("mp", "dropped", "upload-3"));
    await s.putPart("mp", "dropped", "upload-3", part(7, { blobId: "d-7" }));
    await s.putPart("mp", "dropped", "upload-3", part(10000, { blobId: "d-10000" }));
    expect(await s.abortUpload("mp", "other", "upload-3")).toBe("not-found");
    expect(await s.abortUpload("mp", "dropped", "upload-3")).toEqual({ partBlobIds: ["d-7", "d-10000"] });
    expect(await s.abortUpload("mp", "dropped", "upload-3")).toBe("not-found");
    expect(await s.getObject("mp", "dropped")).toBeUndefined();
  });

  it("listUploads: by key bytewise, then initiation time, then id; key and upload-id markers; prefixes", async () => {
    const s = await fresh();
    await s.createBucket(bucket("mp"));
    await s.createBucket(bucket("elsewhere"));
    const uploads = [
      upload("mp", "big.bin", "upload-1"),
      upload("mp", "a", "u-a2", { initiatedAt: at(12) }),
      upload("mp", "a", "u-a3", { initiatedAt: at(11) }),
      upload("mp", "a", "u-a1", { initiatedAt: at(11) }),
      upload("mp", "b%", "u-b"),
      upload("mp", "b_", "u-b_"),
      upload("mp", "\u{1f600}", "u-emoji"),
      upload("mp", "\uffff", "u-ffff"),
      upload("elsewhere", "a", "u-elsewhere"),
    ];
    for (const u of uploads) expect(await s.createUpload(u)).toBe("created");
    const ids = async (options: Parameters<Store["listUploads"]>[1]) => (await s.listUploads("mp", options)).items.map((u) => u.uploadId);

    expect(await ids({ limit: 100 })).toEqual(["u-a1", "u-a3", "u-a2", "u-b", "u-b_", "upload-1", "u-ffff", "u-emoji"]);
    expect((await s.listUploads("mp", { limit: 100 })).items[0]).toEqual(upload("mp", "a", "u-a1", { initiatedAt: at(11) }));
    // Pages resumed with NextKeyMarker / NextUploadIdMarker (the last item's key and id).
    const first = await s.listUploads("mp", { limit: 2 });
    expect([first.items.map((u) => u.uploadId), first.next]).toEqual([["u-a1", "u-a3"], "a"]);
    const second = await s.listUploads("mp", { keyMarker: first.next, uploadIdMarker: first.items.at(-1)!.uploadId, limit: 2 });
    expect([second.items.map((u) => u.uploadId), second.next]).toEqual([["u-a2", "u-b"], "b%"]);
    const third = await s.listUploads("mp", { keyMarker: "b%", uploadIdMarker: "u-b", limit: 4 });
    expect([third.items.map((u) => u.uploadId), third.next]).toEqual([["u-b_", "upload-1", "u-ffff", "u-emoji"], undefined]);

    // The key marker alone: later keys. An upload-id marker that is gone: later keys only.
    expect(await ids({ keyMarker: "a", limit: 100 })).toEqual(["u-b", "u-b_", "upload-1", "u-ffff", "u-emoji"]);
    expect(await ids({ keyMarker: "a", uploadIdMarker: "vanished", limit: 100 })).toEqual(["u-b", "u-b_", "upload-1", "u-ffff", "u-emoji"]);
    expect(await ids({ keyMarker: "a", uploadIdMarker: "u-a1", limit: 100 })).toEqual(["u-a3", "u-a2", "u-b", "u-b_", "upload-1", "u-ffff", "u-emoji"]);
    expect(await ids({ keyMarker: "a0", limit: 100 })).toEqual(["u-b", "u-b_", "upload-1", "u-ffff", "u-emoji"]);
    expect(await ids({ prefix: "b%", limit: 100 })).toEqual(["u-b"]);
    expect(await ids({ prefix: "b_", limit: 100 })).toEqual(["u-b_"]);
    expect(await ids({ prefix: "b", keyMarker: "b%", limit: 100 })).toEqual(["u-b_", "upload-1"]);
    expect(await ids({ prefix: "a", keyMarker: "a", uploadIdMarker: "u-a3", limit: 100 })).toEqual(["u-a2"]);
    expect(await ids({ beyondPrefix: "b", limit: 100 })).toEqual(["u-ffff", "u-emoji"]);
    expect(await ids({ prefix: "zz", limit: 100 })).toEqual([]);
    expect(await s.listUploads("nowhere", { limit: 100 })).toEqual({ items: [] });
  });

  it("putObject holds under concurrency: one record remains, and every replaced blob is reported exactly once", async () => {
    const s = await fresh();
    await s.createBucket(bucket("race"));
    for (let round = 0; round < 5; round++) {
      // An existing key, then a new one: 8 writers each.
      await s.putObject(object("race", "hot", { blobId: `hot-${round}-seed` }));
      for (const k of ["hot", `cold-${round}`]) {
        const blobs = Array.from({ length: 8 }, (_, i) => `${k}-${round}-${i}`);
        const results = await Promise.all(blobs.map((blobId) => s.putObject(object("race", k, { blobId }))));
        const replaced = results.map((r) => (r as { replacedBlobId: string | null }).replacedBlobId);
        const survivor = (await s.getObject("race", k))!.blobId;
        expect(blobs).toContain(survivor);
        const before = k === "hot" ? [`hot-${round}-seed`] : [];
        // Every blob that was ever the record's, but the survivor, reported once; a new key: one writer found nothing.
        expect(bytewise(replaced.filter((r): r is string => r !== null))).toEqual(bytewise([...before, ...blobs].filter((b) => b !== survivor)));
        expect(replaced.filter((r) => r === null)).toHaveLength(k === "hot" ? 0 : 1);
      }
      // Deleters racing writers: each blob once — replaced, deleted, or the survivor.
      const blobs = Array.from({ length: 6 }, (_, i) => `mixed-${round}-${i}`);
      const current = (await s.getObject("race", "hot"))!.blobId;
      const calls = blobs.map((blobId, i) =>
        i % 3 === 2 ? s.deleteObject("race", "hot") : s.putObject(object("race", "hot", { blobId })),
      );
      const outcome = await Promise.all(calls);
      const accounted: string[] = [];
      for (const r of outcome) {
        if (r === undefined) continue;
        if ("replacedBlobId" in (r as object)) {
          const replacedBlobId = (r as { replacedBlobId: string | null }).replacedBlobId;
          if (replacedBlobId !== null) accounted.push(replacedBlobId);
        } else accounted.push((r as S3Object).blobId);
      }
      const left = await s.getObject("race", "hot");
      if (left) accounted.push(left.blobId);
      const written = blobs.filter((_, i) => i % 3 !== 2);
      expect(bytewise(accounted)).toEqual(bytewise([current, ...written]));
    }
  });

  it("deleteBucket racing putObject and createUpload never leaves an object or an upload in a deleted bucket", async () => {
    const s = await fresh();
    for (let round = 0; round < 8; round++) {
      const name = `doomed-${round}`;
      await s.createBucket(bucket(name));
      const writes: Promise<unknown>[] = [
        s.putObject(object(name, "k1")),
        s.putObject(object(name, "k2")),
        s.createUpload(upload(name, "k3", `u-${round}`)),
      ];
      const slot = round % (writes.length + 1);
      const calls = [...writes];
      calls.splice(slot, 0, s.deleteBucket(ACCOUNT, name));
      const outcome = await Promise.all(calls);
      const [deletion] = outcome.splice(slot, 1);
      const objects = (await s.listObjects(name, { limit: 10 })).items;
      const inProgress = (await s.listUploads(name, { limit: 10 })).items;
      if (deletion === "deleted") {
        expect(outcome).toEqual(["no-bucket", "no-bucket", "no-bucket"]);
        expect(await s.getBucket(name)).toBeUndefined();
        expect(objects).toEqual([]);
        expect(inProgress).toEqual([]);
      } else {
        // Refused because a write came first; the bucket stayed, so every write landed.
        expect(deletion).toBe("not-empty");
        expect(outcome).toEqual([{ replacedBlobId: null }, { replacedBlobId: null }, "created"]);
        expect(objects.map((o) => o.key)).toEqual(["k1", "k2"]);
        expect(inProgress.map((u) => u.uploadId)).toEqual([`u-${round}`]);
      }
    }
    // SQLite runs the calls in turn, so the slots give both outcomes; on PostgreSQL they race
    // (store-postgres.test.ts queues them behind a held lock to force each order).
  });

  it("createBucket racing across two accounts: one creator; the others told owned or taken accordingly", async () => {
    const s = await fresh();
    await s.createAccount({ id: OTHER_ACCOUNT, createdAt: at(0) });
    for (let round = 0; round < 5; round++) {
      const name = `contested-${round}`;
      const accounts = Array.from({ length: 8 }, (_, i) => ((i + round) % 2 ? ACCOUNT : OTHER_ACCOUNT));
      const results = await Promise.all(accounts.map((a) => s.createBucket(bucket(name, a))));
      expect(results.filter((r) => r === "created")).toHaveLength(1);
      const owner = (await s.getBucket(name))!.accountId;
      expect(owner).toBe(accounts[results.indexOf("created")]);
      results.forEach((r, i) => {
        if (r !== "created") expect(r).toBe(accounts[i] === owner ? "owned" : "taken");
      });
    }
  });

  it("completeUpload racing abortUpload (and another complete): exactly one wins, and it alone reports the parts", async () => {
    const s = await fresh();
    await s.createBucket(bucket("mp"));
    for (let round = 0; round < 8; round++) {
      const id = `race-${round}`;
      const key = `k-${round}`;
      await s.createUpload(upload("mp", key, id));
      const parts = [part(1, { blobId: `${id}-1` }), part(2, { blobId: `${id}-2` })];
      for (const p of parts) await s.putPart("mp", key, id, p);
      const final = object("mp", key, { blobId: `${id}-manifest` });
      const calls: Promise<unknown>[] = [
        s.completeUpload(id, final, parts),
        s.abortUpload("mp", key, id),
        s.completeUpload(id, final, parts),
      ];
      if (round % 2) calls.reverse();
      const outcome = await Promise.all(calls);
      const winners = outcome.filter((r) => r !== "not-found");
      expect(winners).toHaveLength(1);
      expect((winners[0] as { partBlobIds: string[] }).partBlobIds).toEqual([`${id}-1`, `${id}-2`]);
      const completed = "replacedBlobId" in (winners[0] as object);
      expect(await s.getObject("mp", key)).toEqual(completed ? final : undefined);
      expect(await s.getUpload("mp", key, id)).toBeUndefined();
      expect(await s.listParts("mp", key, id, { limit: 10 })).toBeUndefined();
    }
  });

  it("putPart racing completeUpload: every part blob ends up used, reported, replaced or refused — exactly once", async () => {
    const s = await fresh();
    await s.createBucket(bucket("mp"));
    for (let round = 0; round < 8; round++) {
      const id = `late-${round}`;
      const key = `k-${round}`;
      await s.createUpload(upload("mp", key, id));
      const first = part(1, { blobId: `${id}-p1` });
      await s.putPart("mp", key, id, first);
      const late = part(2, { blobId: `${id}-p2` });
      const again = part(1, { blobId: `${id}-p1b` });
      // The completion first, between the two part uploads, or last (in turn on SQLite; racing on PostgreSQL).
      const puts = [late, again];
      const slot = round % 3;
      const calls: Promise<unknown>[] = puts.map((p) => s.putPart("mp", key, id, p));
      calls.splice(slot, 0, s.completeUpload(id, object("mp", key, { blobId: `${id}-manifest` }), [first]));
      const outcome = await Promise.all(calls);
      const [completion] = outcome.splice(slot, 1) as [CompleteUploadResult];
      const accounted: string[] = [];
      (outcome as PutPartResult[]).forEach((r, i) => {
        // Refused: the caller deletes its own blob. Accepted: it deletes the blob replaced, if any.
        if (r === "no-upload") accounted.push(puts[i]!.blobId);
        else if (r.replacedBlobId !== null) accounted.push(r.replacedBlobId);
      });
      if (completion === "parts-changed") {
        // A re-upload of part 1 came first: nothing completed; the parts are all still there.
        const stored = (await s.listParts("mp", key, id, { limit: 10 }))!.items.map((p) => p.blobId);
        accounted.push(...stored);
        expect(await s.getObject("mp", key)).toBeUndefined();
        await s.abortUpload("mp", key, id);
      } else {
        expect(completion).not.toBe("not-found");
        accounted.push(...(completion as { partBlobIds: string[] }).partBlobIds);
        expect((await s.getObject("mp", key))!.blobId).toBe(`${id}-manifest`);
      }
      expect(bytewise(accounted)).toEqual(bytewise([first.blobId, late.blobId, again.blobId]));
    }
  });

  it("listObjects pages a 100 000-key bucket from the primary key: one index range in key order, no scan, no sort", async () => {
    const bulk = await openBulk();
    store = bulk.store;
    const s = store;
    await s.createAccount({ id: ACCOUNT, createdAt: at(0) });
    await s.createBucket(bucket("big"));
    await s.createBucket(bucket("small"));
    const keys = Array.from({ length: 100_000 }, (_, i) => `dir${i % 10}/file${String(i).padStart(6, "0")}`);
    await bulk.insertObjects("big", keys);
    await bulk.insertObjects("small", ["dir0/x", "dir7/x"]);
    const sorted = bytewise(keys);
    const cases: { options: KeyRange & { limit: number }; expected: string[] }[] = [
      { options: { limit: 1000 }, expected: sorted },
      { options: { prefix: "dir7/", after: "dir7/file050007", limit: 1000 }, expected: sorted.filter((k) => k.startsWith("dir7/") && k > "dir7/file050007") },
      { options: { after: "dir5/file0", limit: 1000 }, expected: sorted.filter((k) => k > "dir5/file0") },
      { options: { beyondPrefix: "dir3/", limit: 1000 }, expected: sorted.filter((k) => k >= "dir4") },
      { options: { prefix: "dir9/", after: "dir9/file099900", limit: 1000 }, expected: sorted.filter((k) => k.startsWith("dir9/") && k > "dir9/file099900") },
      { options: { prefix: "dir9/file0999", limit: 1000 }, expected: sorted.filter((k) => k.startsWith("dir9/file0999")) },
    ];
    // Before any statistics (a bucket that grew since the last ANALYZE looks the same to a planner), then after.
    for (const analyzed of [false, true]) {
      if (analyzed) await bulk.analyze();
      for (const { options, expected } of cases) {
        const page = await s.listObjects("big", options);
        expect(page.items.map((o) => o.key)).toEqual(expected.slice(0, options.limit));
        expect(page.next).toBe(expected.length > options.limit ? expected[options.limit - 1] : undefined);
        const plan = await bulk.plan("big", options);
        bulk.expectIndexRange(plan, options.limit + 1);
        if (process.env.MFA_STS_PRINT_PLANS) console.log(`${analyzed ? "analyzed" : "no statistics"} ${JSON.stringify(options)}\n${plan.join("\n")}\n`);
      }
    }
    expect((await s.listObjects("small", { prefix: "dir7/", limit: 1000 })).items.map((o) => o.key)).toEqual(["dir7/x"]);
  });

  // --- attempt limits (issue 16) ---

  const LIMITS = { maxFailures: 3, windowMs: 300_000, lockoutMs: 900_000 };
  const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z

  it("attempt limits: the 3rd failure within the window locks; during the lock nothing counts or extends it; it ends on time", async () => {
    const s = await fresh();
    expect(await s.getAttempts("mfa:dev")).toBeUndefined();
    expect(await s.recordFailedAttempt("mfa:dev", T, LIMITS)).toEqual({ outcome: "counted", failures: 1 });
    expect(await s.recordFailedAttempt("mfa:dev", T + 1000, LIMITS)).toEqual({ outcome: "counted", failures: 2 });
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 2, lockedUntil: null });
    expect(await s.recordFailedAttempt("mfa:dev", T + 2000, LIMITS)).toEqual({ outcome: "locked", failures: 3, lockedUntil: T + 2000 + 900_000 });
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 0, lockedUntil: T + 902_000 });
    // Refused, not counted, not extended — up to the last millisecond of the lock.
    for (const t of [T + 3000, T + 500_000, T + 901_999]) {
      expect(await s.recordFailedAttempt("mfa:dev", t, LIMITS)).toEqual({ outcome: "already-locked", lockedUntil: T + 902_000 });
    }
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 0, lockedUntil: T + 902_000 });
    // A success during the lock does not lift it.
    await s.clearFailedAttempts("mfa:dev", T + 901_999);
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 0, lockedUntil: T + 902_000 });
    // Over: counting starts from nothing (the lock's end stays recorded, in the past).
    expect(await s.recordFailedAttempt("mfa:dev", T + 902_000, LIMITS)).toEqual({ outcome: "counted", failures: 1 });
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 1, lockedUntil: null });
    // Subjects are apart.
    expect(await s.getAttempts("key:AKIAOTHER")).toBeUndefined();
    expect(await s.getAttempts("mfa:DEV")).toBeUndefined();
  });

  it("attempt limits: a sliding window (failures older than it are forgotten); a success resets the count", async () => {
    const s = await fresh();
    await s.recordFailedAttempt("key:AKIA1", T, LIMITS);
    await s.recordFailedAttempt("key:AKIA1", T + 200_000, LIMITS);
    // The first is 300 s old: forgotten, so two in the window, not three.
    expect(await s.recordFailedAttempt("key:AKIA1", T + 300_000, LIMITS)).toEqual({ outcome: "counted", failures: 2 });
    expect(await s.recordFailedAttempt("key:AKIA1", T + 499_999, LIMITS)).toEqual({ outcome: "locked", failures: 3, lockedUntil: T + 499_999 + 900_000 });

    await s.recordFailedAttempt("key:AKIA2", T, LIMITS);
    await s.recordFailedAttempt("key:AKIA2", T + 1, LIMITS);
    await s.clearFailedAttempts("key:AKIA2", T + 2);
    expect(await s.getAttempts("key:AKIA2")).toBeUndefined();
    expect(await s.recordFailedAttempt("key:AKIA2", T + 3, LIMITS)).toEqual({ outcome: "counted", failures: 1 });
    // Clearing a subject without a record, or one whose lock is over, is fine.
    await s.clearFailedAttempts("key:NONE", T);
    await s.clearFailedAttempts("key:AKIA1", T + 499_999 + 900_000);
    expect(await s.getAttempts("key:AKIA1")).toBeUndefined();
  });

  it("attempt limits: checks in progress hold places in the count; settled as wrong, right or no guess", async () => {
    const s = await fresh();
    // Three places (the limit): a fourth check at once finds none, is not counted, locks nothing.
    for (const t of [T, T + 1, T + 2]) expect(await s.beginAttempt("mfa:dev", t, LIMITS)).toEqual({ outcome: "begun" });
    expect(await s.beginAttempt("mfa:dev", T + 3, LIMITS)).toEqual({ outcome: "busy" });
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 0, lockedUntil: null });
    // A replay gives its place back; a wrong code keeps it as a failure.
    expect(await s.settleAttempt("mfa:dev", T + 1, "no-guess", T + 10, LIMITS)).toBeUndefined();
    expect(await s.settleAttempt("mfa:dev", T, "wrong", T + 10, LIMITS)).toEqual({ outcome: "counted", failures: 1 });
    expect(await s.beginAttempt("mfa:dev", T + 11, LIMITS)).toEqual({ outcome: "begun" });
    expect(await s.beginAttempt("mfa:dev", T + 12, LIMITS)).toEqual({ outcome: "busy" });
    // A right code resets the count; its row goes once nothing is left in it.
    expect(await s.settleAttempt("mfa:dev", T + 2, "right", T + 20, LIMITS)).toBeUndefined();
    expect(await s.getAttempts("mfa:dev")).toEqual({ failures: 0, lockedUntil: null });
    expect(await s.settleAttempt("mfa:dev", T + 11, "no-guess", T + 20, LIMITS)).toBeUndefined();
    expect(await s.getAttempts("mfa:dev")).toBeUndefined();
    // The limit-th wrong code locks; while locked nothing begins, and a right code lifts nothing.
    for (const t of [T + 30, T + 31, T + 32]) await s.beginAttempt("mfa:dev", t, LIMITS);
    await s.settleAttempt("mfa:dev", T + 30, "wrong", T + 40, LIMITS);
    await s.settleAttempt("mfa:dev", T + 31, "wrong", T + 41, LIMITS);
    expect(await s.settleAttempt("mfa:dev", T + 32, "wrong", T + 42, LIMITS)).toEqual({ outcome: "locked", failures: 3, lockedUntil: T + 42 + 900_000 });
    expect(await s.beginAttempt("mfa:dev", T + 50, LIMITS)).toEqual({ outcome: "already-locked", lockedUntil: T + 900_042 });
    // A place left by a crashed check counts only within the window.
    await s.beginAttempt("mfa:gone", T, LIMITS);
    await s.beginAttempt("mfa:gone", T, LIMITS);
    await s.beginAttempt("mfa:gone", T, LIMITS);
    expect(await s.beginAttempt("mfa:gone", T + 299_999, LIMITS)).toEqual({ outcome: "busy" });
    expect(await s.beginAttempt("mfa:gone", T + 300_000, LIMITS)).toEqual({ outcome: "begun" });
  });

  it("attempt limits under concurrency: 24 racing failures lock exactly once (2 counted before it, 21 refused); with room, none is lost", async () => {
    const s = await fresh();
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => s.recordFailedAttempt("mfa:race", T + i, LIMITS)));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === "locked")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "counted")).toHaveLength(2);
    expect(outcomes.filter((o) => o === "already-locked")).toHaveLength(21);
    const lock = results.find((r) => r.outcome === "locked")!;
    expect(results.filter((r) => r.outcome === "already-locked").every((r) => r.outcome === "already-locked" && r.lockedUntil === (lock as { lockedUntil: number }).lockedUntil)).toBe(true);

    const roomy = { ...LIMITS, maxFailures: 100 };
    await Promise.all(Array.from({ length: 24 }, (_, i) => s.recordFailedAttempt("mfa:many", T + i, roomy)));
    expect(await s.getAttempts("mfa:many")).toEqual({ failures: 24, lockedUntil: null });
    // A success racing failures leaves a consistent record (0 to 6 failures, never a lock).
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => s.recordFailedAttempt("mfa:mixed", T + i, roomy)),
      s.clearFailedAttempts("mfa:mixed", T + 3),
    ]);
    const mixed = await s.getAttempts("mfa:mixed");
    expect(mixed === undefined || (mixed.failures <= 6 && mixed.lockedUntil === null)).toBe(true);
  });

  it("a database of the schema before attempt limits is upgraded: users and keys kept; attempts counted", async () => {
    store = await openBeforeAttempts();
    const s = store;
    expect(await s.getUser(ACCOUNT, "veteran")).toEqual(OLD_USER);
    expect(await s.getAccessKey(OLD_KEY.accessKeyId)).toEqual(OLD_KEY);
    expect(await s.getAttempts(`key:${OLD_KEY.accessKeyId}`)).toBeUndefined();
    expect(await s.recordFailedAttempt(`key:${OLD_KEY.accessKeyId}`, T, LIMITS)).toEqual({ outcome: "counted", failures: 1 });
    expect(await s.getAttempts(`key:${OLD_KEY.accessKeyId}`)).toEqual({ failures: 1, lockedUntil: null });
  });
});

describe("bytewise key order and prefix ranges (rows.ts)", () => {
  const utf8 = (s: string) => Buffer.from(s, "utf8");
  // Strings from every plane, surrogates excluded (keys are UTF-8 text), short enough to share prefixes often.
  const text = fc.string({ unit: fc.oneof(
      fc.constantFrom("a", "b", "/", "%", "\u{10ffff}", "\uffff", "\ud7ff", "\ue000"),
      fc
        .integer({ min: 0, max: 0x10ffff })
        .filter((c) => c < 0xd800 || c > 0xdfff)
        .map((c) => String.fromCodePoint(c)),
    ), maxLength: 6 });

  it("compareKeys is UTF-8 byte order (code point order), not UTF-16's", () => {
    expect(compareKeys("\uffff", "\u{10000}")).toBe(-1);
    expect("\uffff" < "\u{10000}").toBe(false);
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareKeys(a, b)).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it("prefixEnd: a key starts with the prefix exactly when prefix <= key < prefixEnd(prefix)", () => {
    expect(prefixEnd("")).toBeUndefined();
    expect(prefixEnd("\u{10ffff}\u{10ffff}")).toBeUndefined();
    expect(prefixEnd("a/")).toBe("a0");
    expect(prefixEnd("p\u{10ffff}")).toBe("q");
    expect(prefixEnd("\ud7ff")).toBe("\ue000");
    expect(prefixEnd("\uffff")).toBe("\u{10000}");
    fc.assert(
      fc.property(text, text, (prefix, key) => {
        const end = prefixEnd(prefix);
        const inRange = compareKeys(key, prefix) >= 0 && (end === undefined || compareKeys(key, end) < 0);
        expect(inRange).toBe(key.startsWith(prefix));
        // And for keys that extend the prefix, which random pairs rarely do.
        const longer = prefix + key;
        expect(compareKeys(longer, prefix) >= 0 && (end === undefined || compareKeys(longer, end) < 0)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
