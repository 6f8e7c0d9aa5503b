/**
 * What only the PostgreSQL store has to show (the shared behaviour is in store-contract.test.ts):
 * migrations when several processes start at once, a schema newer than the code, conditional
 * writes and reads across two stores (two pools: two server processes) on one database, and
 * faults — a database that is down, hung, or restarted — which fail with StoreUnavailableError
 * within the configured timeouts and heal by themselves.
 *
 * Each test gets a fresh database, dropped when the file is done, pass or fail. The server is
 * MFA_STS_TEST_PG (default postgres://postgres@127.0.0.1:5432/test); when it cannot be reached
 * these tests fail, they do not skip.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PostgresStore, type PostgresOptions } from "../src/store/postgres.js";
import { StoreUnavailableError, type AccessKey, type MfaDevice } from "../src/store/store.js";
import { SecretBox } from "../src/crypto/secret-box.js";
import { cryptoRandom } from "../src/ids.js";
import type { SessionClaims } from "../src/tokens/claims.js";
import { tokenKeyId } from "../src/tokens/seal.js";
import { ROTATION_INTERVAL_MS, TokenKeys } from "../src/tokens/token-keys.js";
import { ACCOUNT, at, bucket, hardware, key, object, part, upload } from "./helpers/store-fixtures.js";

const PG_ADMIN_URL = process.env.MFA_STS_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const createdDatabases: string[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = PG_ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database; its URL. */
async function freshDatabase(): Promise<string> {
  const name = `mfa_sts_test_${process.pid}_${randomBytes(6).toString("hex")}`;
  await admin(async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    createdDatabases.push(name);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  if (createdDatabases.length === 0) return;
  const failures: unknown[] = [];
  await admin(async (c) => {
    for (const name of createdDatabases.splice(0)) {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e: unknown) => failures.push(e));
    }
  });
  if (failures.length > 0) throw failures[0];
});

const opened: PostgresStore[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(url: string, options?: PostgresOptions): Promise<PostgresStore> {
  const store = await PostgresStore.open(url, options);
  opened.push(store);
  return store;
}

/** A store on a fresh database with the account and a root hardware token GAHT00000001. */
async function seeded(options?: PostgresOptions): Promise<{ url: string; store: PostgresStore }> {
  const url = await freshDatabase();
  const store = await open(url, options);
  await store.createAccount({ id: ACCOUNT, createdAt: at(0) });
  await store.createMfaDevice(hardware("GAHT00000001"));
  return { url, store };
}

/** Holds the device's row lock from another session until the returned function is called. */
async function lockDevice(url: string, serialNumber: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  await client.query("BEGIN");
  await client.query("SELECT 1 FROM mfa_devices WHERE serial_number = $1 FOR UPDATE", [serialNumber]);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await client.query("ROLLBACK").catch(() => {});
    await client.end().catch(() => {});
  };
  cleanups.push(release);
  return release;
}

/** Holds a row lock (`sql` is a SELECT … FOR UPDATE) from another session until the returned function is called. */
async function holdRow(url: string, sql: string, values: unknown[]): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  await client.query("BEGIN");
  expect((await client.query(sql, values)).rowCount).toBe(1);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await client.query("ROLLBACK").catch(() => {});
    await client.end().catch(() => {});
  };
  cleanups.push(release);
  return release;
}

/** Waits until `n` sessions of the database wait for a lock: the calls started are queued, in the order started. */
async function lockWaiters(url: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await admin(
      (c) => c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [new URL(url).pathname.slice(1)]),
    );
    if (rows[0].n >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} sessions waiting for a lock`);
}

/** Expects `call` to fail with StoreUnavailableError; returns the error and how long it took. */
async function unavailable(call: () => Promise<unknown>): Promise<{ error: StoreUnavailableError; ms: number }> {
  const started = Date.now();
  const error = await call().then(
    () => {
      throw new Error("expected StoreUnavailableError, the call succeeded");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect((error as StoreUnavailableError).cause).toBeDefined();
  return { error: error as StoreUnavailableError, ms: Date.now() - started };
}

/**
 * A TCP proxy in front of the database: `down()` drops every connection and refuses new ones (the
 * database stopped), `up()` serves again on the same port (it is back), `hang()` keeps
 * connections open but passes nothing on (a server that stopped answering).
 */
async function proxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let hung = false;
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        sockets.add(client);
        client.on("close", () => sockets.delete(client));
        client.on("error", () => {});
        if (hung) return;
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.on("data", (d) => hung || upstream.write(d));
        upstream.on("data", (d) => hung || client.write(d));
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await listen();
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const p = {
    url: url.toString(),
    async down() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
    up: () => {
      hung = false;
      return listen();
    },
    hang() {
      hung = true;
    },
    close: () => p.down(),
  };
  cleanups.push(p.close);
  return p;
}

describe("PostgresStore: migrations", () => {
  it("five processes opening one fresh database at once: all succeed, the schema is applied once", async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 5 }, () => open(url)));
    const versions = await admin((c) => c.query("SELECT version FROM schema_migrations ORDER BY version"), url);
    expect(PostgresStore.schemaVersion).toBe(5);
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    // Every one of them works on the one schema.
    await stores[0]!.createAccount({ id: ACCOUNT, createdAt: at(0) });
    for (const s of stores) expect(await s.listAccounts()).toEqual([{ id: ACCOUNT, createdAt: at(0) }]);
    // Opening again later applies nothing.
    await open(url);
    expect((await admin((c) => c.query("SELECT count(*)::int AS n FROM schema_migrations"), url)).rows).toEqual([{ n: 5 }]);
  });

  it("a database whose schema is newer than the code is refused with a clear error", async () => {
    const url = await freshDatabase();
    await (await open(url)).close();
    await admin((c) => c.query("INSERT INTO schema_migrations (version) VALUES (6)"), url);
    const error = await PostgresStore.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe("database schema version 6 is newer than this mfa-sts (5); upgrade mfa-sts");
  });
});

describe("PostgresStore: two processes on one database", () => {
  it("acceptMfaStep: of 8 racing calls spread over two stores exactly one wins", async () => {
    const { url, store: a } = await seeded();
    const b = await open(url);
    for (const step of [1000, 1001, 1002]) {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).acceptMfaStep("GAHT00000001", step)));
      expect(results.filter((r) => r)).toHaveLength(1);
      expect((await b.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(step);
    }
    // Racing different steps: the stored one only moves forward.
    await Promise.all([1009, 1004, 1007, 1003].map((step, i) => (i % 2 ? b : a).acceptMfaStep("GAHT00000001", step)));
    expect((await a.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(1009);
  });

  it("attempt limits across two stores: racing failures lock exactly once, each counted once, and both see the lock", async () => {
    const { url, store: a } = await seeded();
    const b = await open(url);
    const limits = { maxFailures: 5, windowMs: 300_000, lockoutMs: 900_000 };
    const t = at(10).getTime();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).recordFailedAttempt("mfa:GAHT00000001", t + i, limits)));
    expect(results.filter((r) => r.outcome === "locked")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "counted")).toHaveLength(4);
    expect(results.filter((r) => r.outcome === "already-locked")).toHaveLength(15);
    const { lockedUntil } = results.find((r) => r.outcome === "locked") as { lockedUntil: number };
    expect(await a.getAttempts("mfa:GAHT00000001")).toEqual({ failures: 0, lockedUntil });
    expect(await b.getAttempts("mfa:GAHT00000001")).toEqual({ failures: 0, lockedUntil });
    // With room for all of them, none is lost between the two.
    const roomy = { ...limits, maxFailures: 100 };
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).recordFailedAttempt("key:AKIARACE", t + i, roomy)));
    expect(await a.getAttempts("key:AKIARACE")).toEqual({ failures: 20, lockedUntil: null });
  });

  it("the key quota and the MFA device limit hold across two stores", async () => {
    const { url, store: a } = await seeded();
    const b = await open(url);
    await a.createUser({ accountId: ACCOUNT, userId: "AIDARACEXXXXXXXXXXXXX", userName: "race", path: "/", createdAt: at(1) });
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).createAccessKey(key(`AKIARACE00000000000${i}`, "race"), 2)),
    );
    expect(created.filter((r) => r === "created")).toHaveLength(2);
    const rootKeys = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).createAccessKey(key(`AKIAROOT00000000000${i}`, null), 2)),
    );
    expect(rootKeys.filter((r) => r === "created")).toHaveLength(2);

    for (let i = 0; i < 8; i++) {
      await a.createMfaDevice({ ...hardware(`v-${i}`), kind: "virtual", serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/v-${i}`, assignment: null });
    }
    const enabled = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? b : a).enableMfaDevice(ACCOUNT, `arn:aws:iam::${ACCOUNT}:mfa/v-${i}`, "race", { lastStep: 5, driftSteps: 0 }, at(5), 3),
      ),
    );
    expect(enabled.filter((r) => r === "enabled")).toHaveLength(3);
    expect(await b.listMfaDevices(ACCOUNT, "race")).toHaveLength(3);
  });

  it("what one writes the other reads at once; its page markers work on the other", async () => {
    const { url, store: a } = await seeded();
    const b = await open(url);
    expect(await a.createAccessKey(key("AKIA0000000000000001", null), 2)).toBe("created");
    expect(await b.getAccessKey("AKIA0000000000000001")).toEqual(key("AKIA0000000000000001", null));
    expect(await a.updateAccessKeyStatus(ACCOUNT, null, "AKIA0000000000000001", "Inactive")).toBe(true);
    expect((await b.getAccessKey("AKIA0000000000000001"))!.status).toBe("Inactive");
    for (const n of ["carol", "Alice", "bob"]) {
      await a.createUser({ accountId: ACCOUNT, userId: `AIDA${n.toUpperCase().padEnd(17, "X")}`, userName: n, path: "/", createdAt: at(1) });
    }
    const first = await a.listUsers(ACCOUNT, { pathPrefix: "/", limit: 2 });
    expect(first.items.map((u) => u.userName)).toEqual(["Alice", "bob"]);
    const second = await b.listUsers(ACCOUNT, { pathPrefix: "/", limit: 2, after: first.next });
    expect(second.items.map((u) => u.userName)).toEqual(["carol"]);
    await b.addTokenKey({ id: 4294967295, sealedKey: "k", createdAt: 1767225600123 });
    expect(await a.listTokenKeys()).toEqual([{ id: 4294967295, sealedKey: "k", createdAt: 1767225600123 }]);
  });

  it("S3 across two stores: one record per key, each replaced blob reported once; a bucket deleted under writers stays empty; one of complete and abort", async () => {
    const { url, store: a } = await seeded();
    const b = await open(url);
    await a.createBucket(bucket("shared"));
    expect(await b.getBucket("shared")).toEqual(bucket("shared"));

    const blobs = Array.from({ length: 12 }, (_, i) => `blob-${i}`);
    const results = await Promise.all(blobs.map((blobId, i) => (i % 2 ? b : a).putObject(object("shared", "hot", { blobId }))));
    const replaced = results.map((r) => (r as { replacedBlobId: string | null }).replacedBlobId);
    const survivor = (await a.getObject("shared", "hot"))!.blobId;
    expect(replaced.filter((r) => r === null)).toHaveLength(1);
    expect(replaced.filter((r): r is string => r !== null).sort()).toEqual(blobs.filter((x) => x !== survivor).sort());

    for (let round = 0; round < 6; round++) {
      const name = `doomed-${round}`;
      await a.createBucket(bucket(name));
      const writes = [b.putObject(object(name, "k1")), a.putObject(object(name, "k2")), b.createUpload(upload(name, "k3", `u-${round}`))];
      const [deletion, ...outcome] = await Promise.all([(round % 2 ? a : b).deleteBucket(ACCOUNT, name), ...writes]);
      if (deletion === "deleted") {
        expect(outcome).toEqual(["no-bucket", "no-bucket", "no-bucket"]);
        expect((await a.listObjects(name, { limit: 10 })).items).toEqual([]);
        expect((await b.listUploads(name, { limit: 10 })).items).toEqual([]);
      } else {
        expect(deletion).toBe("not-empty");
        expect(outcome).toEqual([{ replacedBlobId: null }, { replacedBlobId: null }, "created"]);
      }
    }

    for (let round = 0; round < 6; round++) {
      const id = `mp-${round}`;
      await a.createUpload(upload("shared", id, id));
      await b.putPart("shared", id, id, part(1, { blobId: `${id}-1` }));
      const outcome = await Promise.all([
        a.completeUpload(id, object("shared", id), [part(1, { blobId: `${id}-1` })]),
        b.abortUpload("shared", id, id),
        b.completeUpload(id, object("shared", id), [part(1, { blobId: `${id}-1` })]),
        a.abortUpload("shared", id, id),
      ]);
      const winners = outcome.filter((r) => r !== "not-found");
      expect(winners).toHaveLength(1);
      expect((winners[0] as { partBlobIds: string[] }).partBlobIds).toEqual([`${id}-1`]);
    }
  });
});

describe("PostgresStore: S3 writes queued on one row, in each order", () => {
  // The contract suite races these calls; here another session holds the contested row while the
  // calls queue behind it in a chosen order, so each waiting path runs: a waiter must re-read
  // what the one before it committed.
  it("deleteBucket first: the writers queued behind it find the bucket gone; a writer first: the bucket is not empty", async () => {
    const { url, store } = await seeded();
    for (const deleteFirst of [true, false]) {
      const name = `queued-${deleteFirst}`;
      await store.createBucket(bucket(name));
      const release = await holdRow(url, "SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", [name]);
      const started: Promise<unknown>[] = [];
      if (deleteFirst) {
        started.push(store.deleteBucket(ACCOUNT, name));
        await lockWaiters(url, 1);
      }
      started.push(store.putObject(object(name, "k")));
      await lockWaiters(url, started.length);
      started.push(store.createUpload(upload(name, "k", `u-${deleteFirst}`)));
      await lockWaiters(url, started.length);
      if (!deleteFirst) {
        started.push(store.deleteBucket(ACCOUNT, name));
        await lockWaiters(url, started.length);
      }
      await release();
      const outcome = await Promise.all(started);
      if (deleteFirst) {
        expect(outcome).toEqual(["deleted", "no-bucket", "no-bucket"]);
        expect(await store.getBucket(name)).toBeUndefined();
      } else {
        expect(outcome).toEqual([{ replacedBlobId: null }, "created", "not-empty"]);
      }
    }
  });

  it("completeUpload first: a part and an abort queued behind it find the upload gone; a part first: complete sees it", async () => {
    const { url, store } = await seeded();
    await store.createBucket(bucket("mp"));
    for (const completeFirst of [true, false]) {
      const id = `queued-${completeFirst}`;
      await store.createUpload(upload("mp", id, id));
      const first = part(1, { blobId: `${id}-1` });
      await store.putPart("mp", id, id, first);
      const release = await holdRow(url, "SELECT 1 FROM s3_uploads WHERE upload_id = $1 FOR UPDATE", [id]);
      const complete = () => store.completeUpload(id, object("mp", id, { blobId: `${id}-manifest` }), [first]);
      const started: Promise<unknown>[] = [];
      if (completeFirst) {
        started.push(complete());
        await lockWaiters(url, 1);
      }
      started.push(store.putPart("mp", id, id, part(2, { blobId: `${id}-2` })));
      await lockWaiters(url, started.length);
      if (!completeFirst) {
        started.push(complete());
        await lockWaiters(url, started.length);
      }
      started.push(store.abortUpload("mp", id, id));
      await lockWaiters(url, started.length);
      await release();
      const outcome = await Promise.all(started);
      if (completeFirst) {
        expect(outcome).toEqual([{ partBlobIds: [`${id}-1`], replacedBlobId: null }, "no-upload", "not-found"]);
      } else {
        // The new part landed first, so the completion takes (and reports) it too.
        expect(outcome).toEqual([{ replacedBlobId: null }, { partBlobIds: [`${id}-1`, `${id}-2`], replacedBlobId: null }, "not-found"]);
      }
      expect((await store.getObject("mp", id))!.blobId).toBe(`${id}-manifest`);
    }
  });

  it("two putObject of one new key queued behind a third: one record, the replaced blobs each reported once", async () => {
    const { url, store } = await seeded();
    await store.createBucket(bucket("hot"));
    // Hold the bucket FOR UPDATE so that all three writers queue before any inserts.
    const release = await holdRow(url, "SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", ["hot"]);
    const started: Promise<unknown>[] = [];
    for (const blobId of ["b1", "b2", "b3"]) {
      started.push(store.putObject(object("hot", "k", { blobId })));
      await lockWaiters(url, started.length);
    }
    await release();
    const outcome = (await Promise.all(started)) as { replacedBlobId: string | null }[];
    const survivor = (await store.getObject("hot", "k"))!.blobId;
    expect(outcome.map((r) => r.replacedBlobId).filter((r) => r !== null).sort()).toEqual(["b1", "b2", "b3"].filter((b) => b !== survivor));
    expect(outcome.filter((r) => r.replacedBlobId === null)).toHaveLength(1);
  });
});

describe("PostgresStore: faults", () => {
  it("an unreachable server: StoreUnavailableError at open, at once", async () => {
    // A port nothing listens on.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { error, ms } = await unavailable(() => PostgresStore.open(`postgres://postgres@127.0.0.1:${port}/test`));
    expect(error.message).toMatch(/unavailable/);
    expect(ms).toBeLessThan(2000);
  });

  it("a server that accepts but never answers: StoreUnavailableError within connectionTimeoutMs", async () => {
    const silent = net.createServer(() => {});
    const held: net.Socket[] = [];
    silent.on("connection", (s) => held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      for (const s of held) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const { ms } = await unavailable(() =>
      PostgresStore.open(`postgres://postgres@127.0.0.1:${port}/test`, { connectionTimeoutMs: 400 }),
    );
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(2000);
  });

  it("a statement past statementTimeoutMs: StoreUnavailableError (statement_timeout), and the connection is reused", async () => {
    const { url, store } = await seeded({ statementTimeoutMs: 400, poolSize: 1 });
    const release = await lockDevice(url, "GAHT00000001");
    const { error, ms } = await unavailable(() => store.acceptMfaStep("GAHT00000001", 10));
    expect((error.cause as { code?: string }).code).toBe("57014");
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(2000);
    // A transaction times out the same way.
    await unavailable(() => store.enableMfaDevice(ACCOUNT, "GAHT00000001", null, { lastStep: 1, driftSteps: 0 }, at(5), 8));
    await release();
    expect(await store.acceptMfaStep("GAHT00000001", 10)).toBe(true);
  });

  it("a pool with no connection to lend within connectionTimeoutMs: StoreUnavailableError", async () => {
    const { url, store } = await seeded({ poolSize: 1, connectionTimeoutMs: 300, statementTimeoutMs: 5000 });
    const release = await lockDevice(url, "GAHT00000001");
    const blocked = store.acceptMfaStep("GAHT00000001", 10); // holds the only connection
    const { error, ms } = await unavailable(() => store.getMfaDevice(ACCOUNT, "GAHT00000001"));
    expect(error.message).toMatch(/timeout exceeded when trying to connect/);
    expect(ms).toBeLessThan(1500);
    await release();
    expect(await blocked).toBe(true);
    expect((await store.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(10);
  });

  it("a restart (every session terminated): the call in flight fails, idle connections do not crash the process, the next calls work", async () => {
    const { url, store } = await seeded({ poolSize: 4 });
    // Fill the pool with idle connections.
    await Promise.all(Array.from({ length: 4 }, () => store.getMfaDevice(ACCOUNT, "GAHT00000001")));
    const release = await lockDevice(url, "GAHT00000001");
    const inFlight = unavailable(() => store.acceptMfaStep("GAHT00000001", 10));
    await new Promise((r) => setTimeout(r, 200));
    const dbName = new URL(url).pathname.slice(1);
    await admin((c) =>
      c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [dbName]),
    );
    const { error } = await inFlight;
    expect((error.cause as { code?: string }).code).toBe("57P01"); // admin_shutdown
    await release();
    await new Promise((r) => setTimeout(r, 200)); // the idle connections learn they are gone
    expect(await store.acceptMfaStep("GAHT00000001", 10)).toBe(true);
    expect((await store.getMfaDevice(ACCOUNT, "GAHT00000001"))!.lastStep).toBe(10);
  });

  it("the database down, then back: calls fail fast with StoreUnavailableError, then recover by themselves", async () => {
    const target = new URL(await freshDatabase());
    const db = await proxy(target);
    const store = await open(db.url, { connectionTimeoutMs: 1000, statementTimeoutMs: 1000 });
    await store.createAccount({ id: ACCOUNT, createdAt: at(0) });
    await store.createMfaDevice(hardware("GAHT00000001"));

    await db.down();
    for (const call of [
      () => store.getAccessKey("AKIA0000000000000001"),
      () => store.acceptMfaStep("GAHT00000001", 10),
      () => store.enableMfaDevice(ACCOUNT, "GAHT00000001", null, { lastStep: 1, driftSteps: 0 }, at(5), 8),
    ]) {
      const { ms } = await unavailable(call);
      expect(ms).toBeLessThan(1500);
    }

    await db.up();
    expect(await store.acceptMfaStep("GAHT00000001", 10)).toBe(true);
    expect(await store.listAccounts()).toEqual([{ id: ACCOUNT, createdAt: at(0) }]);
  });

  it("a server that stops answering mid-session: StoreUnavailableError shortly after statementTimeoutMs, then recovery", async () => {
    const target = new URL(await freshDatabase());
    const db = await proxy(target);
    const store = await open(db.url, { connectionTimeoutMs: 500, statementTimeoutMs: 500 });
    await store.createAccount({ id: ACCOUNT, createdAt: at(0) });

    db.hang();
    const { ms } = await unavailable(() => store.listAccounts());
    expect(ms).toBeLessThan(3000);
    // New connections hang as well: the connection timeout bounds them.
    const again = await unavailable(() => store.listAccounts());
    expect(again.ms).toBeLessThan(3000);

    await db.down();
    await db.up();
    expect(await store.listAccounts()).toEqual([{ id: ACCOUNT, createdAt: at(0) }]);
  });
});

describe("the token key ring shared through PostgreSQL", () => {
  it("a key rotated in by one process opens its tokens on another; the old key's tokens still open on both", async () => {
    const url = await freshDatabase();
    const [a, b] = [await open(url), await open(url)];
    const secrets = new SecretBox(Buffer.alloc(32, 3));
    const clock = { ms: Date.UTC(2026, 10, 23), now() { return this.ms; } };
    const claims = (issuedAt: number): SessionClaims => ({
      accessKeyId: "ASIAAAAAAAAAAAAAAAAA",
      secretAccessKey: "a".repeat(40),
      accountId: ACCOUNT,
      principal: { type: "root" },
      mfa: null,
      issuedAt,
      expiresAt: issuedAt + 3_600_000,
      sourceAccessKeyId: "AKIAAAAAAAAAAAAAAAAA",
    });
    const onA = await TokenKeys.load({ store: a, secrets, clock, random: cryptoRandom });
    const onB = await TokenKeys.load({ store: b, secrets, clock, random: cryptoRandom });
    const before = await onA.seal(claims(clock.ms));
    clock.ms += ROTATION_INTERVAL_MS; // a day later A rotates on its next seal
    const after = await onA.seal(claims(clock.ms));
    expect(tokenKeyId(after)).not.toBe(tokenKeyId(before));
    expect(await onB.open(after)).toEqual(claims(clock.ms));
    expect(await onB.open(before)).toEqual(claims(clock.ms - ROTATION_INTERVAL_MS));
    expect(await onA.open(before)).toEqual(claims(clock.ms - ROTATION_INTERVAL_MS));
  });
});
