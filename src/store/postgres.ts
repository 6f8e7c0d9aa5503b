/**
 * The shared store: PostgreSQL through `pg`, for several server processes behind one database
 * (issue 6). The semantics are SqliteStore's, decided inside the database so that two processes
 * cannot both win a conditional write:
 *
 * - one conditional statement where that is enough (the MFA replay compare-and-set, resync,
 *   deactivate, renames guarded by the unique index);
 * - otherwise a short READ COMMITTED transaction that first locks the row the decision hangs on
 *   (the owner — a user, or the account for its root user — for quotas and limits; the device
 *   for its assignment), then reads and writes in separate statements. Separate statements
 *   matter: under READ COMMITTED each one sees what committed before it started, so a count
 *   taken after the lock was granted includes the writes of whoever held it before.
 *
 * Lock order is always owner, then device, so transactions cannot deadlock one another (a
 * deadlock or serialization failure would still be retried).
 *
 * Text columns use the "C" collation: ordering and `next` keys compare bytes, as SQLite's BINARY
 * does, whatever the database's locale; case-insensitive names fold ASCII only (SQLite's NOCASE),
 * through unique indexes on lower(name).
 *
 * Faults: a refused or lost connection, a pool that has no connection to lend within
 * `connectionTimeoutMs`, a statement past `statementTimeoutMs` (or a server that stops answering)
 * all throw StoreUnavailableError. A connection that failed is discarded; the pool opens new
 * ones on demand, so the store recovers by itself when the database is back.
 *
 * `pg` is loaded in `open`, so a process on the embedded store never loads it.
 */
import type { ClientBase, CustomTypesConfig, DatabaseError, Pool, PoolClient, PoolConfig, QueryResultRow } from "pg";
import type {
  AccessKey,
  AccessKeyStatus,
  AccessKeyUse,
  Account,
  CreateAccessKeyResult,
  CreateMfaDeviceResult,
  CreateUserResult,
  DeleteMfaDeviceResult,
  DeleteUserResult,
  EnableMfaDeviceResult,
  MfaDevice,
  MfaDeviceKind,
  MfaSync,
  Page,
  Store,
  StoredTokenKey,
  UpdateUserResult,
  User,
} from "./store.js";
import { DEVICE_SELECT, KEY_SELECT, pageOf, toDevice, toKey, toUser, type DeviceRow, type KeyRow, type UserRow } from "./rows.js";
import { StoreUnavailableError } from "./store.js";

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a call waits for a connection: a free one from the pool, or a new one (default 5000). */
  connectionTimeoutMs?: number;
  /** How long one statement may run, lock waits included (default 5000). */
  statementTimeoutMs?: number;
}

type PgModule = typeof import("pg").default;

/**
 * Schema migrations, applied in order, each in its own transaction and recorded in
 * schema_migrations. Version 1 is the whole schema of SQLite's first two migrations.
 */
const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE accounts (
  id text COLLATE "C" PRIMARY KEY,
  created_at bigint NOT NULL
);
CREATE TABLE users (
  user_id text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  user_name text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL
);
-- IAM user names are case-insensitive: unique, found and ordered by lower(user_name).
CREATE UNIQUE INDEX users_name ON users (account_id, lower(user_name));
CREATE TABLE access_keys (
  access_key_id text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  -- NULL: the account's root user
  user_id text COLLATE "C" REFERENCES users(user_id),
  sealed_secret text NOT NULL,
  status text NOT NULL CHECK (status IN ('Active', 'Inactive')),
  created_at bigint NOT NULL,
  last_used_at bigint,
  last_used_region text,
  last_used_service text
);
-- user_id first: serves the foreign-key check when a user is deleted, and root's keys (IS NULL).
CREATE INDEX access_keys_owner ON access_keys (user_id, account_id);
CREATE TABLE mfa_devices (
  serial_number text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  kind text NOT NULL CHECK (kind IN ('virtual', 'hardware')),
  name text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  sealed_seed text NOT NULL,
  tags jsonb NOT NULL,
  created_at bigint NOT NULL,
  -- true when enabled for someone: user_id, or NULL for the root user
  assigned boolean NOT NULL DEFAULT false,
  user_id text COLLATE "C" REFERENCES users(user_id),
  enabled_at bigint,
  last_step bigint,
  drift_steps integer NOT NULL DEFAULT 0,
  CHECK (assigned OR (user_id IS NULL AND enabled_at IS NULL)),
  CHECK (NOT assigned OR enabled_at IS NOT NULL)
);
-- IAM names are unique per account whatever the path, and case-insensitive.
CREATE UNIQUE INDEX mfa_devices_virtual_name ON mfa_devices (account_id, lower(name)) WHERE kind = 'virtual';
CREATE INDEX mfa_devices_virtual ON mfa_devices (account_id, serial_number) WHERE kind = 'virtual';
CREATE INDEX mfa_devices_owner ON mfa_devices (user_id, account_id);
CREATE TABLE token_keys (
  id bigint PRIMARY KEY,
  sealed_key text NOT NULL,
  created_at bigint NOT NULL
);
`,
];

/** pg_advisory_lock key serialising migrations across processes ("mfa-sts" in ASCII). */
const MIGRATION_LOCK = "30793340021863539";
/** Migrations (and waiting for another process's) may take longer than a request's statement. */
const MIGRATION_TIMEOUT_MS = 60_000;
/** Deadlocks and serialization failures are retried this many times in all. */
const TRANSACTION_ATTEMPTS = 3;

/** SQLite's NOCASE: ASCII letters only (IAM names are ASCII anyway). */
const fold = (name: string) => name.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The condition on `column` (a user_id column) that picks an owner's rows: root's (NULL) or
 * those of the user named by parameters $<account> and $<name> (already folded).
 */
const ownedBy = (column: string, userName: string | null, account: number, name: number) =>
  userName === null
    ? `${column} IS NULL`
    : `${column} = (SELECT user_id FROM users WHERE account_id = $${account} AND lower(user_name) = $${name})`;

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** What pg and pg-pool throw when the connection, not the statement, failed. */
const CONNECTION_MESSAGES = [
  "timeout exceeded when trying to connect", // pg-pool: no connection to lend in time
  "timeout expired", // pg's Client: connecting took longer than connectionTimeoutMillis
  "Connection terminated", // lost, or "… due to connection timeout", "… unexpectedly"
  "Query read timeout", // the server stopped answering (query_timeout)
  "is not queryable", // a client whose connection already failed
];

export class PostgresStore implements Store {
  private closed = false;

  private constructor(
    private readonly pg: PgModule,
    private readonly pool: Pool,
  ) {}

  /**
   * Connects, brings the schema up to date (under an advisory lock, so processes starting at
   * once migrate it once) and returns the store. Throws StoreUnavailableError when the database
   * cannot be reached, and a plain Error when its schema is newer than this code.
   */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { default: pg } = await import("pg");
    const poolSize = options.poolSize ?? 10;
    const connectionTimeoutMs = options.connectionTimeoutMs ?? 5000;
    const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
    for (const [name, value] of [
      ["poolSize", poolSize],
      ["connectionTimeoutMs", connectionTimeoutMs],
      ["statementTimeoutMs", statementTimeoutMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`PostgresOptions.${name} must be a positive integer`);
    }

    // BIGINT columns hold milliseconds and steps, well inside Number's exact range.
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === pg.types.builtins.INT8 && format !== "binary"
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as "text")) as CustomTypesConfig["getTypeParser"],
    };
    const base: PoolConfig = {
      connectionString: url,
      connectionTimeoutMillis: connectionTimeoutMs,
      keepAlive: true,
      application_name: "mfa-sts",
      types,
    };

    const store = new PostgresStore(
      pg,
      new pg.Pool({
        ...base,
        max: poolSize,
        idleTimeoutMillis: 30_000,
        statement_timeout: statementTimeoutMs,
        // If the server stops answering altogether, statement_timeout never fires: give up on
        // the client's side a little later (the connection is then discarded).
        query_timeout: statementTimeoutMs + 1000,
        // A process that dies mid-transaction must not hold its row locks for long.
        idle_in_transaction_session_timeout: Math.max(10_000, 2 * statementTimeoutMs),
      }),
    );
    // An idle connection that fails (the database restarted) is reported here after pg-pool has
    // dropped it; without a listener it would crash the process. The next call connects anew.
    store.pool.on("error", () => {});
    // A connection that fails while lent out emits 'error' too (its query fails as well, and that
    // is what the caller sees); the listener keeps it from being an uncaught exception.
    store.pool.on("connect", (client) => client.on("error", () => {}));

    try {
      await store.migrate({
        ...base,
        statement_timeout: Math.max(MIGRATION_TIMEOUT_MS, statementTimeoutMs),
        query_timeout: Math.max(MIGRATION_TIMEOUT_MS, statementTimeoutMs) + 1000,
      });
    } catch (e) {
      await store.close().catch(() => {});
      throw store.translate(e);
    }
    return store;
  }

  /** The newest schema version this code knows. */
  static readonly schemaVersion = MIGRATIONS.length;

  private async migrate(config: PoolConfig): Promise<void> {
    // A dedicated connection: the advisory lock is held by the session, and its longer timeout
    // must not leak into the pool.
    const client = new this.pg.Client(config);
    client.on("error", () => {});
    await client.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
      const version = rows[0]?.version ?? 0;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `database schema version ${version} is newer than this mfa-sts (${MIGRATIONS.length}); upgrade mfa-sts`,
        );
      }
      for (let next = version; next < MIGRATIONS.length; next++) {
        await client.query("BEGIN");
        try {
          await client.query(MIGRATIONS[next]!);
          await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [next + 1]);
          await client.query("COMMIT");
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {});
          throw e;
        }
      }
    } finally {
      // Ending the session releases the advisory lock, even when unlocking was not possible.
      await client.end().catch(() => {});
    }
  }

  /** Connection-level failures become StoreUnavailableError; anything else is a bug and stays as it is. */
  private translate(e: unknown): unknown {
    if (e instanceof StoreUnavailableError || !this.isUnavailable(e)) return e;
    return new StoreUnavailableError(`the PostgreSQL database is unavailable: ${(e as Error).message}`, { cause: e });
  }

  private isUnavailable(e: unknown): boolean {
    if (!(e instanceof Error)) return false;
    if (e instanceof this.pg.DatabaseError) {
      const code = (e as DatabaseError).code ?? "";
      return (
        (code.startsWith("08") && code !== "08P01") || // connection exceptions (not a protocol bug)
        code === "57014" || // query_canceled: statement_timeout
        code.startsWith("57P") || // the server shutting down, restarting, starting up
        code.startsWith("53") || // too many connections, out of memory or disk
        code === "40001" || // serialization failure, still failing after retries
        code === "40P01" || // deadlock, likewise
        code === "25P03" // idle_in_transaction_session_timeout
      );
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => this.isUnavailable(inner))) return true;
    if (CONNECTION_MESSAGES.some((m) => e.message.includes(m))) return true;
    return e.cause !== undefined && this.isUnavailable(e.cause);
  }

  /** True when the connection must not go back to the pool (it failed, or a reply may still come). */
  private poisoned(e: unknown): boolean {
    if (!(e instanceof this.pg.DatabaseError)) return true;
    // A statement that was cancelled or lost a race leaves its connection healthy.
    const code = (e as DatabaseError).code ?? "";
    return this.isUnavailable(e) && !["57014", "40001", "40P01"].includes(code);
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      throw this.translate(e);
    }
  }

  private async query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<{ rows: R[]; rowCount: number }> {
    const client = await this.connect();
    try {
      const result = await client.query<R>(text, values);
      client.release();
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (e) {
      client.release(this.poisoned(e) ? (e as Error) : undefined);
      throw this.translate(e);
    }
  }

  /**
   * Runs `work` in a READ COMMITTED transaction on one connection, retrying it after a deadlock
   * or a serialization failure. A result `work` returns is committed whatever it says (the
   * decisions that write nothing simply commit nothing).
   */
  private async transaction<T>(work: (q: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        await client.query("BEGIN");
        const result = await work(txOf(client));
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (e) {
        const poisoned = this.poisoned(e);
        if (!poisoned) {
          try {
            await client.query("ROLLBACK");
          } catch {
            client.release(e as Error);
            throw this.translate(e);
          }
        }
        client.release(poisoned ? (e as Error) : undefined);
        const code = e instanceof this.pg.DatabaseError ? (e as DatabaseError).code : undefined;
        if ((code === "40001" || code === "40P01") && attempt < TRANSACTION_ATTEMPTS) continue;
        throw this.translate(e);
      }
    }
  }

  /**
   * Locks the owner's row for the rest of the transaction, serialising the writes whose outcome
   * depends on what the owner has (key quota, device limit, deletion): the user, or for the root
   * user (null) the account. Returns the owner's user id (null for root); undefined when the
   * named user does not exist.
   */
  private async lockOwner(q: Tx, accountId: string, userName: string | null): Promise<string | null | undefined> {
    if (userName === null) {
      await q("SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE", [accountId]);
      return null;
    }
    const { rows } = await q<{ user_id: string }>(
      "SELECT user_id FROM users WHERE account_id = $1 AND lower(user_name) = $2 FOR NO KEY UPDATE",
      [accountId, fold(userName)],
    );
    return rows[0]?.user_id;
  }

  async createAccount(account: Account): Promise<void> {
    await this.query("INSERT INTO accounts (id, created_at) VALUES ($1, $2)", [account.id, account.createdAt.getTime()]);
  }

  async listAccounts(): Promise<Account[]> {
    const { rows } = await this.query<{ id: string; created_at: number }>(
      "SELECT id, created_at FROM accounts ORDER BY created_at, id",
    );
    return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at) }));
  }

  async createUser(user: User): Promise<CreateUserResult> {
    const { rowCount } = await this.query(
      `INSERT INTO users (user_id, account_id, user_name, path, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [user.userId, user.accountId, user.userName, user.path, user.createdAt.getTime()],
    );
    return rowCount === 1 ? "created" : "exists";
  }

  async getUser(accountId: string, userName: string): Promise<User | undefined> {
    const { rows } = await this.query<UserRow>(
      "SELECT * FROM users WHERE account_id = $1 AND lower(user_name) = $2",
      [accountId, fold(userName)],
    );
    return rows[0] && toUser(rows[0]);
  }

  async listUsers(
    accountId: string,
    options: { pathPrefix: string; after?: string; limit: number },
  ): Promise<Page<User>> {
    const { rows } = await this.query<UserRow>(
      `SELECT * FROM users WHERE account_id = $1 AND starts_with(path, $2) AND lower(user_name) > $3
       ORDER BY lower(user_name) LIMIT $4`,
      [accountId, options.pathPrefix, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toUser, (u) => u.userName.toLowerCase());
  }

  async updateUser(
    accountId: string,
    userName: string,
    changes: { newUserName?: string; newPath?: string },
  ): Promise<UpdateUserResult> {
    // One statement: the unique index on lower(user_name) decides a clash, whoever renames at once.
    try {
      const { rowCount } = await this.query(
        `UPDATE users SET user_name = coalesce($3, user_name), path = coalesce($4, path)
         WHERE account_id = $1 AND lower(user_name) = $2`,
        [accountId, fold(userName), changes.newUserName ?? null, changes.newPath ?? null],
      );
      return rowCount === 1 ? "updated" : "not-found";
    } catch (e) {
      if (e instanceof this.pg.DatabaseError && e.code === "23505" && e.constraint === "users_name") return "exists";
      throw e;
    }
  }

  async getUserById(accountId: string, userId: string): Promise<User | undefined> {
    const { rows } = await this.query<UserRow>("SELECT * FROM users WHERE account_id = $1 AND user_id = $2", [
      accountId,
      userId,
    ]);
    return rows[0] && toUser(rows[0]);
  }

  async deleteUser(accountId: string, userName: string): Promise<DeleteUserResult> {
    return this.transaction(async (q) => {
      const { rows } = await q<{ user_id: string }>(
        "SELECT user_id FROM users WHERE account_id = $1 AND lower(user_name) = $2 FOR UPDATE",
        [accountId, fold(userName)],
      );
      const userId = rows[0]?.user_id;
      if (userId === undefined) return "not-found";
      const { rows: deps } = await q<{ keys: boolean; devices: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM access_keys WHERE user_id = $1) AS keys,
                EXISTS (SELECT 1 FROM mfa_devices WHERE user_id = $1 AND assigned) AS devices`,
        [userId],
      );
      if (deps[0]!.keys) return "has-access-keys";
      if (deps[0]!.devices) return "has-mfa-devices";
      await q("DELETE FROM users WHERE user_id = $1", [userId]);
      return "deleted";
    });
  }

  async createAccessKey(key: AccessKey, quota: number): Promise<CreateAccessKeyResult> {
    return this.transaction(async (q) => {
      const owner = await this.lockOwner(q, key.accountId, key.userName);
      if (owner === undefined) return "no-user";
      const { rows } = await q<{ n: number }>(
        `SELECT count(*) AS n FROM access_keys WHERE account_id = $1 AND ${owner === null ? "user_id IS NULL" : "user_id = $2"}`,
        owner === null ? [key.accountId] : [key.accountId, owner],
      );
      if (rows[0]!.n >= quota) return "quota";
      await q(
        `INSERT INTO access_keys (access_key_id, account_id, user_id, sealed_secret, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [key.accessKeyId, key.accountId, owner, key.sealedSecret, key.status, key.createdAt.getTime()],
      );
      return "created";
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKey | undefined> {
    const { rows } = await this.query<KeyRow>(`${KEY_SELECT} WHERE k.access_key_id = $1`, [accessKeyId]);
    return rows[0] && toKey(rows[0]);
  }

  async listAccessKeys(accountId: string, userName: string | null): Promise<AccessKey[]> {
    const { rows } = await this.query<KeyRow>(
      `${KEY_SELECT} WHERE k.account_id = $1 AND ${ownedBy("k.user_id", userName, 1, 2)}
       ORDER BY k.created_at, k.access_key_id`,
      userName === null ? [accountId] : [accountId, fold(userName)],
    );
    return rows.map(toKey);
  }

  async updateAccessKeyStatus(
    accountId: string,
    userName: string | null,
    accessKeyId: string,
    status: AccessKeyStatus,
  ): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE access_keys SET status = $3 WHERE access_key_id = $2 AND account_id = $1 AND ${ownedBy("user_id", userName, 1, 4)}`,
      userName === null ? [accountId, accessKeyId, status] : [accountId, accessKeyId, status, fold(userName)],
    );
    return rowCount === 1;
  }

  async deleteAccessKey(accountId: string, userName: string | null, accessKeyId: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `DELETE FROM access_keys WHERE access_key_id = $2 AND account_id = $1 AND ${ownedBy("user_id", userName, 1, 3)}`,
      userName === null ? [accountId, accessKeyId] : [accountId, accessKeyId, fold(userName)],
    );
    return rowCount === 1;
  }

  async recordAccessKeyUse(accessKeyId: string, use: AccessKeyUse): Promise<void> {
    await this.query(
      "UPDATE access_keys SET last_used_at = $2, last_used_region = $3, last_used_service = $4 WHERE access_key_id = $1",
      [accessKeyId, use.date.getTime(), use.region, use.service],
    );
  }

  async createMfaDevice(d: MfaDevice): Promise<CreateMfaDeviceResult> {
    let owner: string | null = null;
    if (d.assignment?.user) {
      const { rows } = await this.query<{ user_id: string }>(
        "SELECT user_id FROM users WHERE account_id = $1 AND lower(user_name) = $2",
        [d.accountId, fold(d.assignment.user.userName)],
      );
      owner = rows[0]?.user_id ?? null;
      if (owner === null) throw new Error(`no user ${d.assignment.user.userName}`);
    }
    // Should the owner be deleted meanwhile, the foreign key refuses the insert (deleteUser
    // holds the user's row lock while it checks for devices, and the check waits for it).
    const { rowCount } = await this.query(
      `INSERT INTO mfa_devices (serial_number, account_id, kind, name, path, sealed_seed, tags, created_at,
                                assigned, user_id, enabled_at, last_step, drift_steps)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        d.serialNumber,
        d.accountId,
        d.kind,
        d.name,
        d.path,
        d.sealedSeed,
        JSON.stringify(d.tags.map((t) => ({ key: t.key, value: t.value }))),
        d.createdAt.getTime(),
        d.assignment !== null,
        owner,
        d.assignment ? d.assignment.enabledAt.getTime() : null,
        d.lastStep,
        d.driftSteps,
      ],
    );
    return rowCount === 1 ? "created" : "exists";
  }

  async getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDevice | undefined> {
    const { rows } = await this.query<DeviceRow>(`${DEVICE_SELECT} WHERE d.account_id = $1 AND d.serial_number = $2`, [
      accountId,
      serialNumber,
    ]);
    return rows[0] && toDevice(rows[0]);
  }

  async listMfaDevices(accountId: string, userName: string | null): Promise<MfaDevice[]> {
    const { rows } = await this.query<DeviceRow>(
      `${DEVICE_SELECT} WHERE d.account_id = $1 AND d.assigned AND ${ownedBy("d.user_id", userName, 1, 2)}
       ORDER BY d.serial_number`,
      userName === null ? [accountId] : [accountId, fold(userName)],
    );
    return rows.map(toDevice);
  }

  async listVirtualMfaDevices(
    accountId: string,
    options: { assigned?: boolean; after?: string; limit: number },
  ): Promise<Page<MfaDevice>> {
    const { rows } = await this.query<DeviceRow>(
      `${DEVICE_SELECT} WHERE d.account_id = $1 AND d.kind = 'virtual' AND ($2::boolean IS NULL OR d.assigned = $2::boolean)
       AND d.serial_number > $3 ORDER BY d.serial_number LIMIT $4`,
      [accountId, options.assigned ?? null, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toDevice, (d) => d.serialNumber);
  }

  async enableMfaDevice(
    accountId: string,
    serialNumber: string,
    userName: string | null,
    sync: MfaSync,
    enabledAt: Date,
    limit: number,
  ): Promise<EnableMfaDeviceResult> {
    return this.transaction(async (q) => {
      // Owner first, then device: the lock order every transaction here follows.
      const owner = await this.lockOwner(q, accountId, userName);
      if (owner === undefined) return "no-user";
      const { rows } = await q<{ assigned: boolean }>(
        "SELECT assigned FROM mfa_devices WHERE account_id = $1 AND serial_number = $2 FOR NO KEY UPDATE",
        [accountId, serialNumber],
      );
      if (rows.length === 0) return "no-device";
      if (rows[0]!.assigned) return "in-use";
      const { rows: count } = await q<{ n: number }>(
        `SELECT count(*) AS n FROM mfa_devices WHERE account_id = $1 AND assigned AND ${owner === null ? "user_id IS NULL" : "user_id = $2"}`,
        owner === null ? [accountId] : [accountId, owner],
      );
      if (count[0]!.n >= limit) return "limit";
      const { rowCount } = await q(
        `UPDATE mfa_devices SET assigned = true, user_id = $3, enabled_at = $4, last_step = $5, drift_steps = $6
         WHERE account_id = $1 AND serial_number = $2 AND NOT assigned AND (last_step IS NULL OR last_step < $5)`,
        [accountId, serialNumber, owner, enabledAt.getTime(), sync.lastStep, sync.driftSteps],
      );
      return rowCount === 1 ? "enabled" : "stale";
    });
  }

  async resyncMfaDevice(accountId: string, serialNumber: string, userName: string | null, sync: MfaSync): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE mfa_devices SET last_step = $3, drift_steps = $4
       WHERE account_id = $1 AND serial_number = $2 AND assigned AND ${ownedBy("user_id", userName, 1, 5)}
         AND (last_step IS NULL OR last_step < $3)`,
      userName === null
        ? [accountId, serialNumber, sync.lastStep, sync.driftSteps]
        : [accountId, serialNumber, sync.lastStep, sync.driftSteps, fold(userName)],
    );
    return rowCount === 1;
  }

  async deactivateMfaDevice(accountId: string, serialNumber: string, userName: string | null): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE mfa_devices SET assigned = false, user_id = NULL, enabled_at = NULL
       WHERE account_id = $1 AND serial_number = $2 AND assigned AND ${ownedBy("user_id", userName, 1, 3)}`,
      userName === null ? [accountId, serialNumber] : [accountId, serialNumber, fold(userName)],
    );
    return rowCount === 1;
  }

  async deleteVirtualMfaDevice(accountId: string, serialNumber: string): Promise<DeleteMfaDeviceResult> {
    return this.transaction(async (q) => {
      const { rows } = await q<{ kind: MfaDeviceKind; assigned: boolean }>(
        "SELECT kind, assigned FROM mfa_devices WHERE account_id = $1 AND serial_number = $2 FOR UPDATE",
        [accountId, serialNumber],
      );
      const row = rows[0];
      if (!row || row.kind !== "virtual") return "not-found";
      if (row.assigned) return "assigned";
      await q("DELETE FROM mfa_devices WHERE serial_number = $1", [serialNumber]);
      return "deleted";
    });
  }

  async acceptMfaStep(serialNumber: string, step: number): Promise<boolean> {
    // The compare-and-set: concurrent updates of the row queue on its lock, and each re-checks
    // the condition on the row as the previous one left it, so one step is accepted once.
    const { rowCount } = await this.query(
      "UPDATE mfa_devices SET last_step = $1 WHERE serial_number = $2 AND (last_step IS NULL OR last_step < $1)",
      [step, serialNumber],
    );
    return rowCount === 1;
  }

  async listTokenKeys(): Promise<StoredTokenKey[]> {
    const { rows } = await this.query<{ id: number; sealed_key: string; created_at: number }>(
      "SELECT id, sealed_key, created_at FROM token_keys ORDER BY created_at, id",
    );
    return rows.map((r) => ({ id: r.id, sealedKey: r.sealed_key, createdAt: r.created_at }));
  }

  async addTokenKey(key: StoredTokenKey): Promise<void> {
    await this.query("INSERT INTO token_keys (id, sealed_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [
      key.id,
      key.sealedKey,
      key.createdAt,
    ]);
  }

  async deleteTokenKeys(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.query("DELETE FROM token_keys WHERE id = ANY($1::bigint[])", [[...ids]]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** A query bound to a transaction's connection. */
type Tx = <R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) => Promise<{ rows: R[]; rowCount: number }>;

const txOf =
  (client: ClientBase): Tx =>
  async <R extends QueryResultRow>(text: string, values: unknown[] = []) => {
    const result = await client.query<R>(text, values);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };
