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
 * Lock order is always owner, then device; user, then group, then managed policy; bucket, then
 * upload, then object or part — so
 * transactions cannot deadlock one another (a deadlock or serialization failure would still be
 * retried). Deletions lock the row FOR UPDATE; writes that only need the row to go on existing
 * (a membership's group, an attachment's policy) lock it FOR KEY SHARE, as the foreign keys do.
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
  AddUserToGroupResult,
  AbortUploadResult,
  AttachPolicyResult,
  AttemptLimits,
  AttemptRecord,
  AttemptVerdict,
  BeginAttemptResult,
  Bucket,
  CompleteUploadResult,
  CreateAccessKeyResult,
  CreateBucketResult,
  CreateGroupResult,
  CreateMfaDeviceResult,
  CreatePolicyResult,
  CreatePolicyVersionResult,
  CreateRoleResult,
  CreateUploadResult,
  CreateUserResult,
  DeleteBucketResult,
  DeleteGroupResult,
  DeleteInlinePolicyResult,
  DeleteMfaDeviceResult,
  DeletePolicyResult,
  DeletePolicyVersionResult,
  DeleteRoleResult,
  DeleteUserResult,
  DetachPolicyResult,
  EffectivePolicy,
  EnableMfaDeviceResult,
  Group,
  KeyRange,
  ManagedPolicy,
  MfaDevice,
  MfaDeviceKind,
  MfaSync,
  MultipartUpload,
  Page,
  PolicyOwner,
  PolicyVersion,
  PutInlinePolicyResult,
  PutObjectResult,
  PutPartResult,
  RemoveUserFromGroupResult,
  Role,
  RoleChanges,
  S3Object,
  SetDefaultPolicyVersionResult,
  Store,
  StoredTokenKey,
  Tag,
  TagRoleResult,
  UpdateUserResult,
  UploadPart,
  User,
  FailedAttemptResult,
} from "./store.js";
import { attemptTimesJson, nextAfterBegin, nextAfterFailure, nextAfterSettle, parseAttemptTimes, type AttemptRow } from "./attempts.js";
import {
  DEVICE_SELECT,
  KEY_SELECT,
  OBJECT_COLUMNS,
  OWNER_TABLES,
  PART_COLUMNS,
  POLICY_SELECT,
  UPLOAD_COLUMNS,
  VERSION_SELECT,
  countAttachmentsSql,
  effectivePoliciesSql,
  effectiveRolePoliciesSql,
  keyBounds,
  listBucketsSql,
  listObjectsSql,
  listUploadsSql,
  mergeTags,
  objectValues,
  pageOf,
  partValues,
  partsUnchanged,
  tagsJson,
  toBucket,
  toDevice,
  toObject,
  toPart,
  toUpload,
  uploadAttrsJson,
  type BucketRow,
  type LowerBound,
  type ObjectRow,
  type PartRow,
  type UploadRow,
  toEffectivePolicies,
  toGroup,
  toKey,
  toPolicy,
  toRole,
  toUser,
  toVersion,
  versionId,
  versionNumber,
  withoutTags,
  type DeviceRow,
  type EffectiveRow,
  type GroupRow,
  type KeyRow,
  type PolicyRow,
  type RoleRow,
  type UserRow,
  type VersionRow,
} from "./rows.js";
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
 * schema_migrations. Version 1 is the whole schema of SQLite's first two migrations; version 2
 * is SQLite's third, version 3 its fourth (S3), version 4 its fifth (roles), version 5 its sixth (attempt limits). (Exported for the upgrade test, which makes a database as an older release did.)
 */
export const MIGRATIONS: readonly string[] = [
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
  // Groups, inline policies, customer managed policies and their versions, attachments (issue 12).
  // Everything an owner has is keyed by its id, so it follows the owner through a rename.
  `
CREATE TABLE groups (
  group_id text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  group_name text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups (account_id, lower(group_name));
CREATE TABLE group_members (
  group_id text COLLATE "C" NOT NULL REFERENCES groups(group_id),
  user_id text COLLATE "C" NOT NULL REFERENCES users(user_id),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, group_id);
-- Inline policies: names are exact (case-sensitive); size as IAM counts it, for the aggregate limit.
CREATE TABLE user_policies (
  user_id text COLLATE "C" NOT NULL REFERENCES users(user_id),
  policy_name text COLLATE "C" NOT NULL,
  document text NOT NULL,
  size integer NOT NULL,
  PRIMARY KEY (user_id, policy_name)
);
CREATE TABLE group_policies (
  group_id text COLLATE "C" NOT NULL REFERENCES groups(group_id),
  policy_name text COLLATE "C" NOT NULL,
  document text NOT NULL,
  size integer NOT NULL,
  PRIMARY KEY (group_id, policy_name)
);
CREATE TABLE policies (
  policy_id text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  policy_name text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  arn text COLLATE "C" NOT NULL,
  description text,
  default_version integer NOT NULL,
  -- the highest version number ever made: the next is one more, so none is reused
  last_version integer NOT NULL,
  tags jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CHECK (default_version BETWEEN 1 AND last_version)
);
CREATE UNIQUE INDEX policies_name ON policies (account_id, lower(policy_name));
CREATE UNIQUE INDEX policies_arn ON policies (account_id, arn);
CREATE TABLE policy_versions (
  policy_id text COLLATE "C" NOT NULL REFERENCES policies(policy_id),
  version integer NOT NULL,
  document text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (policy_id, version)
);
-- Attachments by ARN: customer managed policies of the account, or AWS managed ones (not stored).
CREATE TABLE user_attached_policies (
  user_id text COLLATE "C" NOT NULL REFERENCES users(user_id),
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  policy_arn text COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id, policy_arn)
);
CREATE INDEX user_attached_policies_arn ON user_attached_policies (account_id, policy_arn);
CREATE TABLE group_attached_policies (
  group_id text COLLATE "C" NOT NULL REFERENCES groups(group_id),
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  policy_arn text COLLATE "C" NOT NULL,
  PRIMARY KEY (group_id, policy_arn)
);
CREATE INDEX group_attached_policies_arn ON group_attached_policies (account_id, policy_arn);
`,
  // S3 (issue 13): SQLite's fourth migration. Buckets are one namespace for every account; keys
  // compare bytewise ("C"), and a listing page is one range of the (bucket, key) primary key.
  `
CREATE TABLE s3_buckets (
  name text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  region text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX s3_buckets_account ON s3_buckets (account_id, name);
CREATE TABLE s3_objects (
  bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets(name),
  key text COLLATE "C" NOT NULL,
  size bigint NOT NULL CHECK (size >= 0),
  etag text NOT NULL,
  last_modified bigint NOT NULL,
  blob_id text NOT NULL,
  -- contentType, metadata (ordered name/value pairs), headers, checksum
  attrs jsonb NOT NULL,
  PRIMARY KEY (bucket, key)
);
CREATE TABLE s3_uploads (
  upload_id text COLLATE "C" PRIMARY KEY,
  bucket text COLLATE "C" NOT NULL REFERENCES s3_buckets(name),
  key text COLLATE "C" NOT NULL,
  initiated_at bigint NOT NULL,
  -- the object's attributes to be, the initiator, the checksum algorithm and type
  attrs jsonb NOT NULL
);
CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, initiated_at, upload_id);
CREATE TABLE s3_parts (
  upload_id text COLLATE "C" NOT NULL REFERENCES s3_uploads(upload_id),
  part_number integer NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
  size bigint NOT NULL CHECK (size >= 0),
  etag text NOT NULL,
  blob_id text NOT NULL,
  checksum_algorithm text,
  checksum_value text,
  last_modified bigint NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
`,
  // IAM roles (issue 14): SQLite's fifth migration. A role owns inline policies and attachments
  // as users and groups do, keyed by its id; names unique per account by lower(role_name).
  `
CREATE TABLE roles (
  role_id text COLLATE "C" PRIMARY KEY,
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  role_name text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  -- the trust policy exactly as sent
  trust_policy text NOT NULL,
  description text,
  max_session_duration integer NOT NULL CHECK (max_session_duration BETWEEN 3600 AND 43200),
  tags jsonb NOT NULL
);
CREATE UNIQUE INDEX roles_name ON roles (account_id, lower(role_name));
CREATE TABLE role_policies (
  role_id text COLLATE "C" NOT NULL REFERENCES roles(role_id),
  policy_name text COLLATE "C" NOT NULL,
  document text NOT NULL,
  size integer NOT NULL,
  PRIMARY KEY (role_id, policy_name)
);
CREATE TABLE role_attached_policies (
  role_id text COLLATE "C" NOT NULL REFERENCES roles(role_id),
  account_id text COLLATE "C" NOT NULL REFERENCES accounts(id),
  policy_arn text COLLATE "C" NOT NULL,
  PRIMARY KEY (role_id, policy_arn)
);
CREATE INDEX role_attached_policies_arn ON role_attached_policies (account_id, policy_arn);
`,
  // Attempt limits (issue 16): SQLite's sixth migration. Failed MFA codes per device
  // (`mfa:SERIAL`) and bad signatures per long-term key (`key:AKIA…`); no foreign keys, as there.
  `
CREATE TABLE attempt_failures (
  subject text COLLATE "C" PRIMARY KEY,
  -- the failure times (ms) still counted, oldest first
  failures jsonb NOT NULL DEFAULT '[]',
  locked_until bigint
);
`,
];

/** pg_advisory_lock key serialising migrations across processes ("mfa-sts" in ASCII). */
const MIGRATION_LOCK = "30793340021863539";
/** Migrations (and waiting for another process's) may take longer than a request's statement. */
const MIGRATION_TIMEOUT_MS = 60_000;
/** Opens a listing's transaction: sorting off, for its SELECT only (see PostgresStore.listing). */
const LISTING_BEGIN = "BEGIN; SET LOCAL enable_sort = off";
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
   * decisions that write nothing simply commit nothing). `begin` is the statement that opens it
   * (a listing's also sets its planner settings, in the same round trip).
   */
  private async transaction<T>(work: (q: Tx) => Promise<T>, begin = "BEGIN"): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        await client.query(begin);
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

  /**
   * Locks a policy owner's row (a user or a group, by case-insensitive name) in `mode` for the
   * rest of the transaction; its id, undefined when there is none.
   */
  private async lockPolicyOwner(
    q: Tx,
    accountId: string,
    owner: PolicyOwner,
    mode: "FOR UPDATE" | "FOR NO KEY UPDATE" | "FOR KEY SHARE" = "FOR NO KEY UPDATE",
  ): Promise<string | undefined> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await q<{ id: string }>(
      `SELECT ${o.id} AS id FROM ${o.table} WHERE account_id = $1 AND lower(${o.name}) = $2 ${mode}`,
      [accountId, fold(owner.name)],
    );
    return rows[0]?.id;
  }

  /** Locks a customer managed policy's row (by ARN) in `mode`; what the decisions on it need. */
  private async lockPolicy(
    q: Tx,
    accountId: string,
    arn: string,
    mode: "FOR UPDATE" | "FOR NO KEY UPDATE" | "FOR KEY SHARE",
  ): Promise<PolicyState | undefined> {
    const { rows } = await q<PolicyState>(
      `SELECT policy_id, default_version, last_version FROM policies WHERE account_id = $1 AND arn = $2 ${mode}`,
      [accountId, arn],
    );
    return rows[0];
  }

  /** A policy owner's id without locking; undefined when there is none. */
  private async policyOwnerId(accountId: string, owner: PolicyOwner): Promise<string | undefined> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ id: string }>(
      `SELECT ${o.id} AS id FROM ${o.table} WHERE account_id = $1 AND lower(${o.name}) = $2`,
      [accountId, fold(owner.name)],
    );
    return rows[0]?.id;
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
      const { rows: deps } = await q<{ keys: boolean; devices: boolean; inline: boolean; attached: boolean; groups: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM access_keys WHERE user_id = $1) AS keys,
                EXISTS (SELECT 1 FROM mfa_devices WHERE user_id = $1 AND assigned) AS devices,
                EXISTS (SELECT 1 FROM user_policies WHERE user_id = $1) AS inline,
                EXISTS (SELECT 1 FROM user_attached_policies WHERE user_id = $1) AS attached,
                EXISTS (SELECT 1 FROM group_members WHERE user_id = $1) AS groups`,
        [userId],
      );
      if (deps[0]!.keys) return "has-access-keys";
      if (deps[0]!.devices) return "has-mfa-devices";
      if (deps[0]!.inline) return "has-inline-policies";
      if (deps[0]!.attached) return "has-attached-policies";
      if (deps[0]!.groups) return "in-groups";
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

  async getAttempts(subject: string): Promise<AttemptRecord | undefined> {
    const { rows } = await this.query<{ failures: unknown; locked_until: number | null }>(
      "SELECT failures, locked_until FROM attempt_failures WHERE subject = $1",
      [subject],
    );
    const row = rows[0];
    return row && { failures: parseAttemptTimes(row.failures).failureTimes.length, lockedUntil: row.locked_until };
  }

  async recordFailedAttempt(subject: string, now: number, limits: AttemptLimits): Promise<FailedAttemptResult> {
    return this.transaction(async (q) => {
      // The row exists (a racing insert waits for the first one's commit, then does nothing), and
      // is locked: racing counts queue here and each reads what the previous one wrote.
      await q("INSERT INTO attempt_failures (subject) VALUES ($1) ON CONFLICT DO NOTHING", [subject]);
      const row = await lockedAttemptRow(q, subject);
      const { write, result } = nextAfterFailure(row, now, limits);
      if (write) await putAttemptRow(q, subject, write);
      return result;
    });
  }

  async clearFailedAttempts(subject: string, now: number): Promise<void> {
    await this.query("DELETE FROM attempt_failures WHERE subject = $1 AND (locked_until IS NULL OR locked_until <= $2)", [subject, now]);
  }

  async beginAttempt(subject: string, now: number, limits: AttemptLimits): Promise<BeginAttemptResult> {
    return this.transaction(async (q) => {
      await q("INSERT INTO attempt_failures (subject) VALUES ($1) ON CONFLICT DO NOTHING", [subject]);
      const { write, result } = nextAfterBegin(await lockedAttemptRow(q, subject), now, limits);
      if (write) await putAttemptRow(q, subject, write);
      return result;
    });
  }

  async settleAttempt(subject: string, at: number, verdict: AttemptVerdict, now: number, limits: AttemptLimits): Promise<FailedAttemptResult | undefined> {
    return this.transaction(async (q) => {
      const { write, result } = nextAfterSettle(await lockedAttemptRow(q, subject), at, verdict, now, limits);
      if (write === null) await q("DELETE FROM attempt_failures WHERE subject = $1", [subject]);
      else await putAttemptRow(q, subject, write);
      return result;
    });
  }

  async createGroup(group: Group): Promise<CreateGroupResult> {
    const { rowCount } = await this.query(
      `INSERT INTO groups (group_id, account_id, group_name, path, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [group.groupId, group.accountId, group.groupName, group.path, group.createdAt.getTime()],
    );
    return rowCount === 1 ? "created" : "exists";
  }

  async getGroup(accountId: string, groupName: string): Promise<Group | undefined> {
    const { rows } = await this.query<GroupRow>(
      "SELECT * FROM groups WHERE account_id = $1 AND lower(group_name) = $2",
      [accountId, fold(groupName)],
    );
    return rows[0] && toGroup(rows[0]);
  }

  async listGroups(
    accountId: string,
    options: { pathPrefix: string; after?: string; limit: number },
  ): Promise<Page<Group>> {
    const { rows } = await this.query<GroupRow>(
      `SELECT * FROM groups WHERE account_id = $1 AND starts_with(path, $2) AND lower(group_name) > $3
       ORDER BY lower(group_name) LIMIT $4`,
      [accountId, options.pathPrefix, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toGroup, (g) => g.groupName.toLowerCase());
  }

  async deleteGroup(accountId: string, groupName: string): Promise<DeleteGroupResult> {
    return this.transaction(async (q) => {
      // FOR UPDATE waits for whoever is adding a member or a policy (they hold the row FOR KEY
      // SHARE or FOR NO KEY UPDATE), and the checks below, taken after, see what they added.
      const groupId = await this.lockPolicyOwner(q, accountId, { kind: "group", name: groupName }, "FOR UPDATE");
      if (groupId === undefined) return "not-found";
      const { rows: deps } = await q<{ members: boolean; inline: boolean; attached: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1) AS members,
                EXISTS (SELECT 1 FROM group_policies WHERE group_id = $1) AS inline,
                EXISTS (SELECT 1 FROM group_attached_policies WHERE group_id = $1) AS attached`,
        [groupId],
      );
      if (deps[0]!.members) return "has-members";
      if (deps[0]!.inline) return "has-inline-policies";
      if (deps[0]!.attached) return "has-attached-policies";
      await q("DELETE FROM groups WHERE group_id = $1", [groupId]);
      return "deleted";
    });
  }

  async addUserToGroup(accountId: string, groupName: string, userName: string, limit: number): Promise<AddUserToGroupResult> {
    return this.transaction(async (q) => {
      // User, then group: the user's row serialises its memberships (the limit, deleteUser); the
      // group's is held FOR KEY SHARE so that deleteGroup waits, while other members join at once.
      const userId = await this.lockOwner(q, accountId, userName);
      const groupId = await this.lockPolicyOwner(q, accountId, { kind: "group", name: groupName }, "FOR KEY SHARE");
      if (groupId === undefined) return "no-group";
      if (userId === undefined || userId === null) return "no-user";
      const { rows } = await q<{ member: boolean; n: number }>(
        `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2) AS member,
                (SELECT count(*) FROM group_members WHERE user_id = $2) AS n`,
        [groupId, userId],
      );
      if (rows[0]!.member) return "added";
      if (rows[0]!.n >= limit) return "limit";
      await q("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)", [groupId, userId]);
      return "added";
    });
  }

  async removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<RemoveUserFromGroupResult> {
    const { rows } = await this.query<{ group_id: string | null; user_id: string | null }>(
      `WITH g AS (SELECT group_id FROM groups WHERE account_id = $1 AND lower(group_name) = $2),
            u AS (SELECT user_id FROM users WHERE account_id = $1 AND lower(user_name) = $3),
            gone AS (DELETE FROM group_members m USING g, u WHERE m.group_id = g.group_id AND m.user_id = u.user_id)
       SELECT (SELECT group_id FROM g) AS group_id, (SELECT user_id FROM u) AS user_id`,
      [accountId, fold(groupName), fold(userName)],
    );
    // Recorded against AWS: with neither, the user is the one named.
    if (rows[0]!.user_id === null) return "no-user";
    if (rows[0]!.group_id === null) return "no-group";
    return "removed";
  }

  async listGroupMembers(
    accountId: string,
    groupName: string,
    options: { after?: string; limit: number },
  ): Promise<Page<User> | undefined> {
    const groupId = await this.policyOwnerId(accountId, { kind: "group", name: groupName });
    if (groupId === undefined) return undefined;
    const { rows } = await this.query<UserRow>(
      `SELECT u.* FROM group_members m JOIN users u ON u.user_id = m.user_id
       WHERE m.group_id = $1 AND lower(u.user_name) > $2 ORDER BY lower(u.user_name) LIMIT $3`,
      [groupId, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toUser, (u) => u.userName.toLowerCase());
  }

  async listGroupsForUser(
    accountId: string,
    userName: string,
    options: { after?: string; limit: number },
  ): Promise<Page<Group> | undefined> {
    const userId = await this.policyOwnerId(accountId, { kind: "user", name: userName });
    if (userId === undefined) return undefined;
    const { rows } = await this.query<GroupRow>(
      `SELECT g.* FROM group_members m JOIN groups g ON g.group_id = m.group_id
       WHERE m.user_id = $1 AND lower(g.group_name) > $2 ORDER BY lower(g.group_name) LIMIT $3`,
      [userId, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toGroup, (g) => g.groupName.toLowerCase());
  }

  async putInlinePolicy(
    accountId: string,
    owner: PolicyOwner,
    policyName: string,
    document: string,
    size: number,
    sizeLimit: number,
  ): Promise<PutInlinePolicyResult> {
    const o = OWNER_TABLES[owner.kind];
    return this.transaction(async (q) => {
      const id = await this.lockPolicyOwner(q, accountId, owner);
      if (id === undefined) return "no-owner";
      const { rows } = await q<{ n: number }>(
        `SELECT coalesce(sum(size), 0) AS n FROM ${o.inline} WHERE ${o.id} = $1 AND policy_name <> $2`,
        [id, policyName],
      );
      if (rows[0]!.n + size > sizeLimit) return "too-large";
      await q(
        `INSERT INTO ${o.inline} (${o.id}, policy_name, document, size) VALUES ($1, $2, $3, $4)
         ON CONFLICT (${o.id}, policy_name) DO UPDATE SET document = excluded.document, size = excluded.size`,
        [id, policyName, document, size],
      );
      return "put";
    });
  }

  async getInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<string | "no-owner" | "not-found"> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ document: string | null }>(
      `SELECT p.document FROM ${o.table} x LEFT JOIN ${o.inline} p ON p.${o.id} = x.${o.id} AND p.policy_name = $3
       WHERE x.account_id = $1 AND lower(x.${o.name}) = $2`,
      [accountId, fold(owner.name), policyName],
    );
    if (rows.length === 0) return "no-owner";
    return rows[0]!.document ?? "not-found";
  }

  async listInlinePolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ policy_name: string | null }>(
      `SELECT p.policy_name FROM ${o.table} x LEFT JOIN ${o.inline} p ON p.${o.id} = x.${o.id}
       WHERE x.account_id = $1 AND lower(x.${o.name}) = $2 ORDER BY p.policy_name`,
      [accountId, fold(owner.name)],
    );
    if (rows.length === 0) return undefined;
    return rows.flatMap((r) => (r.policy_name === null ? [] : [r.policy_name]));
  }

  async deleteInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<DeleteInlinePolicyResult> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ id: string; deleted: number }>(
      `WITH x AS (SELECT ${o.id} AS id FROM ${o.table} WHERE account_id = $1 AND lower(${o.name}) = $2),
            gone AS (DELETE FROM ${o.inline} p USING x WHERE p.${o.id} = x.id AND p.policy_name = $3 RETURNING 1)
       SELECT x.id, (SELECT count(*) FROM gone) AS deleted FROM x`,
      [accountId, fold(owner.name), policyName],
    );
    if (rows.length === 0) return "no-owner";
    return rows[0]!.deleted > 0 ? "deleted" : "not-found";
  }

  async createPolicy(policy: ManagedPolicy, document: string): Promise<CreatePolicyResult> {
    return this.transaction(async (q) => {
      // The unique indexes on the name and the ARN decide a clash, whoever creates at once.
      const { rowCount } = await q(
        `INSERT INTO policies (policy_id, account_id, policy_name, path, arn, description, default_version, last_version,
                               tags, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7::jsonb, $8, $9) ON CONFLICT DO NOTHING`,
        [
          policy.policyId,
          policy.accountId,
          policy.policyName,
          policy.path,
          policy.arn,
          policy.description,
          tagsJson(policy.tags),
          policy.createdAt.getTime(),
          policy.updatedAt.getTime(),
        ],
      );
      if (rowCount !== 1) return "exists";
      await q("INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, 1, $2, $3)", [
        policy.policyId,
        document,
        policy.createdAt.getTime(),
      ]);
      return "created";
    });
  }

  async getPolicy(accountId: string, arn: string): Promise<ManagedPolicy | undefined> {
    const { rows } = await this.query<PolicyRow>(`${POLICY_SELECT} WHERE p.account_id = $1 AND p.arn = $2`, [accountId, arn]);
    return rows[0] && toPolicy(rows[0]);
  }

  async listPolicies(accountId: string): Promise<ManagedPolicy[]> {
    const { rows } = await this.query<PolicyRow>(`${POLICY_SELECT} WHERE p.account_id = $1`, [accountId]);
    return rows.map(toPolicy);
  }

  async deletePolicy(accountId: string, arn: string): Promise<DeletePolicyResult> {
    return this.transaction(async (q) => {
      // FOR UPDATE waits for an attachPolicy holding the row FOR KEY SHARE; the count below,
      // taken after, sees its attachment. One that comes later finds no policy.
      const policy = await this.lockPolicy(q, accountId, arn, "FOR UPDATE");
      if (!policy) return "not-found";
      const { rows } = await q<{ attached: boolean; versions: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM user_attached_policies WHERE account_id = $1 AND policy_arn = $2)
                OR EXISTS (SELECT 1 FROM group_attached_policies WHERE account_id = $1 AND policy_arn = $2)
                OR EXISTS (SELECT 1 FROM role_attached_policies WHERE account_id = $1 AND policy_arn = $2) AS attached,
                EXISTS (SELECT 1 FROM policy_versions WHERE policy_id = $3 AND version <> $4) AS versions`,
        [accountId, arn, policy.policy_id, policy.default_version],
      );
      if (rows[0]!.attached) return "attached";
      if (rows[0]!.versions) return "has-versions";
      await q("DELETE FROM policy_versions WHERE policy_id = $1", [policy.policy_id]);
      await q("DELETE FROM policies WHERE policy_id = $1", [policy.policy_id]);
      return "deleted";
    });
  }

  async createPolicyVersion(
    accountId: string,
    arn: string,
    document: string,
    setAsDefault: boolean,
    createdAt: Date,
    limit: number,
  ): Promise<CreatePolicyVersionResult> {
    return this.transaction(async (q): Promise<CreatePolicyVersionResult> => {
      const policy = await this.lockPolicy(q, accountId, arn, "FOR NO KEY UPDATE");
      if (!policy) return "not-found";
      const { rows } = await q<{ n: number }>("SELECT count(*) AS n FROM policy_versions WHERE policy_id = $1", [
        policy.policy_id,
      ]);
      if (rows[0]!.n >= limit) return "limit";
      const version = policy.last_version + 1;
      await q("INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES ($1, $2, $3, $4)", [
        policy.policy_id,
        version,
        document,
        createdAt.getTime(),
      ]);
      await q(
        `UPDATE policies SET last_version = $2,
                default_version = CASE WHEN $3 THEN $2 ELSE default_version END,
                updated_at = CASE WHEN $3 THEN $4 ELSE updated_at END
         WHERE policy_id = $1`,
        [policy.policy_id, version, setAsDefault, createdAt.getTime()],
      );
      return { versionId: versionId(version) };
    });
  }

  async getPolicyVersion(accountId: string, arn: string, id: string): Promise<PolicyVersion | undefined> {
    const version = versionNumber(id);
    if (version === undefined) return undefined;
    const { rows } = await this.query<VersionRow>(`${VERSION_SELECT} WHERE p.account_id = $1 AND p.arn = $2 AND v.version = $3`, [
      accountId,
      arn,
      version,
    ]);
    return rows[0] && toVersion(rows[0]);
  }

  async listPolicyVersions(accountId: string, arn: string): Promise<PolicyVersion[] | undefined> {
    // A policy always has its default version: no rows, no policy.
    const { rows } = await this.query<VersionRow>(
      `${VERSION_SELECT} WHERE p.account_id = $1 AND p.arn = $2 ORDER BY v.version DESC`,
      [accountId, arn],
    );
    return rows.length === 0 ? undefined : rows.map(toVersion);
  }

  async deletePolicyVersion(accountId: string, arn: string, id: string): Promise<DeletePolicyVersionResult> {
    const version = versionNumber(id);
    if (version === undefined) return "not-found";
    return this.transaction(async (q) => {
      const policy = await this.lockPolicy(q, accountId, arn, "FOR NO KEY UPDATE");
      if (!policy) return "not-found";
      if (policy.default_version === version) return "default";
      const { rowCount } = await q("DELETE FROM policy_versions WHERE policy_id = $1 AND version = $2", [
        policy.policy_id,
        version,
      ]);
      return rowCount === 1 ? "deleted" : "not-found";
    });
  }

  async setDefaultPolicyVersion(
    accountId: string,
    arn: string,
    id: string,
    updatedAt: Date,
  ): Promise<SetDefaultPolicyVersionResult> {
    const version = versionNumber(id);
    if (version === undefined) return "not-found";
    return this.transaction(async (q) => {
      // Locked first, so that the version cannot be deleted between the check and the update.
      const policy = await this.lockPolicy(q, accountId, arn, "FOR NO KEY UPDATE");
      if (!policy) return "not-found";
      const { rowCount } = await q(
        `UPDATE policies SET default_version = $2, updated_at = $3
         WHERE policy_id = $1 AND EXISTS (SELECT 1 FROM policy_versions WHERE policy_id = $1 AND version = $2)`,
        [policy.policy_id, version, updatedAt.getTime()],
      );
      return rowCount === 1 ? "set" : "not-found";
    });
  }

  async attachPolicy(
    accountId: string,
    owner: PolicyOwner,
    arn: string,
    customer: boolean,
    limit: number,
  ): Promise<AttachPolicyResult> {
    const o = OWNER_TABLES[owner.kind];
    return this.transaction(async (q) => {
      // Owner, then policy. The owner's row serialises its attachments (the limit, deletion);
      // the policy's is held FOR KEY SHARE so that deletePolicy waits for this to commit.
      const id = await this.lockPolicyOwner(q, accountId, owner);
      if (id === undefined) return "no-owner";
      if (customer && !(await this.lockPolicy(q, accountId, arn, "FOR KEY SHARE"))) return "no-policy";
      const { rows } = await q<{ attached: boolean; n: number }>(
        `SELECT EXISTS (SELECT 1 FROM ${o.attached} WHERE ${o.id} = $1 AND policy_arn = $2) AS attached,
                (SELECT count(*) FROM ${o.attached} WHERE ${o.id} = $1) AS n`,
        [id, arn],
      );
      if (rows[0]!.attached) return "attached";
      if (rows[0]!.n >= limit) return "limit";
      await q(`INSERT INTO ${o.attached} (${o.id}, account_id, policy_arn) VALUES ($1, $2, $3)`, [id, accountId, arn]);
      return "attached";
    });
  }

  async detachPolicy(accountId: string, owner: PolicyOwner, arn: string): Promise<DetachPolicyResult> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ id: string; deleted: number }>(
      `WITH x AS (SELECT ${o.id} AS id FROM ${o.table} WHERE account_id = $1 AND lower(${o.name}) = $2),
            gone AS (DELETE FROM ${o.attached} a USING x WHERE a.${o.id} = x.id AND a.policy_arn = $3 RETURNING 1)
       SELECT x.id, (SELECT count(*) FROM gone) AS deleted FROM x`,
      [accountId, fold(owner.name), arn],
    );
    if (rows.length === 0) return "no-owner";
    return rows[0]!.deleted > 0 ? "detached" : "not-attached";
  }

  async listAttachedPolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined> {
    const o = OWNER_TABLES[owner.kind];
    const { rows } = await this.query<{ policy_arn: string | null }>(
      `SELECT a.policy_arn FROM ${o.table} x LEFT JOIN ${o.attached} a ON a.${o.id} = x.${o.id}
       WHERE x.account_id = $1 AND lower(x.${o.name}) = $2 ORDER BY a.policy_arn`,
      [accountId, fold(owner.name)],
    );
    if (rows.length === 0) return undefined;
    return rows.flatMap((r) => (r.policy_arn === null ? [] : [r.policy_arn]));
  }

  async listEntitiesForPolicy(accountId: string, arn: string): Promise<{ users: User[]; groups: Group[]; roles: Role[] }> {
    // One statement: users, groups and roles as of one moment. A role's other columns come as
    // JSON, so that the three kinds share one row shape.
    const { rows } = await this.query<{ kind: PolicyOwner["kind"]; id: string; name: string; path: string; created_at: number; role: RoleRow | null }>(
      `SELECT * FROM (
         SELECT 'user' AS kind, u.user_id AS id, u.user_name AS name, u.path, u.created_at, NULL::jsonb AS role
         FROM user_attached_policies a JOIN users u ON u.user_id = a.user_id
         WHERE a.account_id = $1 AND a.policy_arn = $2
         UNION ALL
         SELECT 'group', g.group_id, g.group_name, g.path, g.created_at, NULL::jsonb
         FROM group_attached_policies a JOIN groups g ON g.group_id = a.group_id
         WHERE a.account_id = $1 AND a.policy_arn = $2
         UNION ALL
         SELECT 'role', r.role_id, r.role_name, r.path, r.created_at, to_jsonb(r)
         FROM role_attached_policies a JOIN roles r ON r.role_id = a.role_id
         WHERE a.account_id = $1 AND a.policy_arn = $2
       ) e ORDER BY kind, lower(name), id`,
      [accountId, arn],
    );
    const users: User[] = [];
    const groups: Group[] = [];
    const roles: Role[] = [];
    for (const r of rows) {
      if (r.kind === "user") {
        users.push(toUser({ user_id: r.id, account_id: accountId, user_name: r.name, path: r.path, created_at: r.created_at }));
      } else if (r.kind === "group") {
        groups.push(toGroup({ group_id: r.id, account_id: accountId, group_name: r.name, path: r.path, created_at: r.created_at }));
      } else {
        roles.push(toRole(r.role!));
      }
    }
    return { users, groups, roles };
  }

  async countAttachments(accountId: string, arn: string): Promise<number> {
    const { rows } = await this.query<{ n: number }>(countAttachmentsSql("$1", "$2"), [accountId, arn]);
    return rows[0]!.n;
  }

  async effectivePolicies(accountId: string, userId: string): Promise<EffectivePolicy[] | undefined> {
    // One statement, one snapshot, one round trip.
    const { rows } = await this.query<EffectiveRow>(effectivePoliciesSql("$1", "$2"), [accountId, userId]);
    return toEffectivePolicies(rows);
  }

  async createRole(role: Role): Promise<CreateRoleResult> {
    // The unique index on lower(role_name) decides a clash, whoever creates at once.
    const { rowCount } = await this.query(
      `INSERT INTO roles (role_id, account_id, role_name, path, created_at, trust_policy, description, max_session_duration, tags)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT DO NOTHING`,
      [
        role.roleId,
        role.accountId,
        role.roleName,
        role.path,
        role.createdAt,
        role.assumeRolePolicyDocument,
        role.description ?? null,
        role.maxSessionDuration,
        tagsJson(role.tags),
      ],
    );
    return rowCount === 1 ? "created" : "exists";
  }

  async getRole(accountId: string, roleName: string): Promise<Role | undefined> {
    const { rows } = await this.query<RoleRow>("SELECT * FROM roles WHERE account_id = $1 AND lower(role_name) = $2", [
      accountId,
      fold(roleName),
    ]);
    return rows[0] && toRole(rows[0]);
  }

  async listRoles(accountId: string, options: { pathPrefix: string; after?: string; limit: number }): Promise<Page<Role>> {
    const { rows } = await this.query<RoleRow>(
      `SELECT * FROM roles WHERE account_id = $1 AND starts_with(path, $2) AND lower(role_name) > $3
       ORDER BY lower(role_name) LIMIT $4`,
      [accountId, options.pathPrefix, options.after ?? "", options.limit + 1],
    );
    return pageOf(rows, options.limit, toRole, (r) => r.roleName.toLowerCase());
  }

  async updateRole(accountId: string, roleName: string, changes: RoleChanges): Promise<Role | undefined> {
    // One statement: concurrent updates queue on the row's lock, each applying its own members.
    const { rows } = await this.query<RoleRow>(
      `UPDATE roles SET description = coalesce($3, description), max_session_duration = coalesce($4, max_session_duration),
                        trust_policy = coalesce($5, trust_policy)
       WHERE account_id = $1 AND lower(role_name) = $2 RETURNING *`,
      [
        accountId,
        fold(roleName),
        changes.description ?? null,
        changes.maxSessionDuration ?? null,
        changes.assumeRolePolicyDocument ?? null,
      ],
    );
    return rows[0] && toRole(rows[0]);
  }

  async deleteRole(accountId: string, roleName: string): Promise<DeleteRoleResult> {
    return this.transaction(async (q) => {
      // FOR UPDATE waits for whoever is attaching or putting a policy (they hold the row FOR NO
      // KEY UPDATE), and the checks below, taken after, see what they added.
      const roleId = await this.lockPolicyOwner(q, accountId, { kind: "role", name: roleName }, "FOR UPDATE");
      if (roleId === undefined) return "not-found";
      const { rows } = await q<{ attached: boolean; inline: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM role_attached_policies WHERE role_id = $1) AS attached,
                EXISTS (SELECT 1 FROM role_policies WHERE role_id = $1) AS inline`,
        [roleId],
      );
      if (rows[0]!.attached) return "has-attached-policies";
      if (rows[0]!.inline) return "has-inline-policies";
      await q("DELETE FROM roles WHERE role_id = $1", [roleId]);
      return "deleted";
    });
  }

  /** Rewrites a role's tags under its row lock, so that concurrent tag changes each see the last one's result. */
  private async changeRoleTags(accountId: string, roleName: string, change: (tags: Tag[]) => Tag[] | "limit"): Promise<TagRoleResult> {
    return this.transaction(async (q) => {
      const { rows } = await q<RoleRow>("SELECT * FROM roles WHERE account_id = $1 AND lower(role_name) = $2 FOR NO KEY UPDATE", [
        accountId,
        fold(roleName),
      ]);
      if (rows.length === 0) return "not-found";
      const tags = change(toRole(rows[0]!).tags);
      if (tags === "limit") return "limit";
      await q("UPDATE roles SET tags = $2::jsonb WHERE role_id = $1", [rows[0]!.role_id, tagsJson(tags)]);
      return "tagged";
    });
  }

  async tagRole(accountId: string, roleName: string, tags: readonly Tag[], limit: number): Promise<TagRoleResult> {
    return this.changeRoleTags(accountId, roleName, (existing) => {
      const merged = mergeTags(existing, tags);
      return merged.length > limit ? "limit" : merged;
    });
  }

  async untagRole(accountId: string, roleName: string, keys: readonly string[]): Promise<boolean> {
    return (await this.changeRoleTags(accountId, roleName, (existing) => withoutTags(existing, keys))) === "tagged";
  }

  async effectiveRolePolicies(accountId: string, roleId: string): Promise<EffectivePolicy[] | undefined> {
    const { rows } = await this.query<EffectiveRow>(effectiveRolePoliciesSql("$1", "$2"), [accountId, roleId]);
    return toEffectivePolicies(rows);
  }

  /**
   * Runs a listing's SELECT (`ORDER BY` an index's columns, `LIMIT`) with sorting disabled for
   * that transaction, so that the only plan left is the walk of the index in order, stopping
   * after the page. Left to its estimates, the planner picks a bitmap scan of the whole bucket
   * and a top-N sort whenever it believes the bucket small: with no statistics yet (its default
   * guess is a few hundred rows) or stale ones (a bucket that grew since the last ANALYZE) —
   * every key read, to return a thousand.
   */
  private async listing<R extends QueryResultRow>(sql: string, values: unknown[]): Promise<R[]> {
    return this.transaction(async (q) => (await q<R>(sql, values)).rows, LISTING_BEGIN);
  }

  /** How many times a write that lost an insert race to a concurrent one starts over (it then finds the row). */
  private static readonly UPSERT_ATTEMPTS = 16;

  async createBucket(bucket: Bucket): Promise<CreateBucketResult> {
    for (let attempt = 0; attempt < PostgresStore.UPSERT_ATTEMPTS; attempt++) {
      const { rowCount } = await this.query(
        `INSERT INTO s3_buckets (name, account_id, region, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
        [bucket.name, bucket.accountId, bucket.region, bucket.createdAt.getTime()],
      );
      if (rowCount === 1) return "created";
      const { rows } = await this.query<{ account_id: string }>("SELECT account_id FROM s3_buckets WHERE name = $1", [bucket.name]);
      // Gone again between the two statements (deleted meanwhile): try once more.
      if (rows[0]) return rows[0].account_id === bucket.accountId ? "owned" : "taken";
    }
    throw new Error(`createBucket ${bucket.name}: the name kept changing hands`);
  }

  async getBucket(name: string): Promise<Bucket | undefined> {
    const { rows } = await this.query<BucketRow>("SELECT name, account_id, region, created_at FROM s3_buckets WHERE name = $1", [
      name,
    ]);
    return rows[0] && toBucket(rows[0]);
  }

  async listBuckets(accountId: string, options: { prefix?: string; after?: string; limit: number }): Promise<Page<Bucket>> {
    const bounds = keyBounds({ prefix: options.prefix, after: options.after });
    if (bounds === "empty") return { items: [] };
    const { sql, values } = listBucketsSql("postgres", accountId, bounds, options.limit);
    const rows = await this.listing<BucketRow>(sql, values);
    return pageOf(rows, options.limit, toBucket, (b) => b.name);
  }

  async deleteBucket(accountId: string, name: string): Promise<DeleteBucketResult> {
    return this.transaction(async (q) => {
      // FOR UPDATE waits for the writers holding the bucket FOR KEY SHARE (putObject, createUpload,
      // completeUpload); the check below, a later statement, then sees what they wrote.
      const { rows } = await q<{ account_id: string }>("SELECT account_id FROM s3_buckets WHERE name = $1 FOR UPDATE", [name]);
      if (!rows[0] || rows[0].account_id !== accountId) return "not-found";
      const { rows: contents } = await q<{ objects: boolean; uploads: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM s3_objects WHERE bucket = $1) AS objects,
                EXISTS (SELECT 1 FROM s3_uploads WHERE bucket = $1) AS uploads`,
        [name],
      );
      if (contents[0]!.objects || contents[0]!.uploads) return "not-empty";
      await q("DELETE FROM s3_buckets WHERE name = $1", [name]);
      return "deleted";
    });
  }

  /** Holds the bucket FOR KEY SHARE for the rest of the transaction (deleteBucket waits); false when it is gone. */
  private async shareBucket(q: Tx, name: string): Promise<boolean> {
    const { rows } = await q("SELECT 1 FROM s3_buckets WHERE name = $1 FOR KEY SHARE", [name]);
    return rows.length === 1;
  }

  /**
   * Creates or replaces the object inside the caller's transaction (the bucket already held);
   * the replaced record's blob. An existing row is locked before it is replaced, so its blob is
   * reported once; an insert that finds the key taken by a writer that committed meanwhile
   * starts over and replaces that writer's row (READ COMMITTED: the next statement sees it).
   */
  private async upsertObject(q: Tx, object: S3Object): Promise<string | null> {
    const values = objectValues(object);
    for (let attempt = 0; attempt < PostgresStore.UPSERT_ATTEMPTS; attempt++) {
      const { rows } = await q<{ blob_id: string }>(
        "SELECT blob_id FROM s3_objects WHERE bucket = $1 AND key = $2 FOR UPDATE",
        [object.bucket, object.key],
      );
      if (rows[0]) {
        await q(
          `UPDATE s3_objects SET size = $3, etag = $4, last_modified = $5, blob_id = $6, attrs = $7::jsonb
           WHERE bucket = $1 AND key = $2`,
          values,
        );
        return rows[0].blob_id;
      }
      const { rowCount } = await q(
        `INSERT INTO s3_objects (${OBJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (bucket, key) DO NOTHING`,
        values,
      );
      if (rowCount === 1) return null;
    }
    throw new Error(`putObject ${object.bucket}/${object.key}: the key kept changing hands`);
  }

  async putObject(object: S3Object): Promise<PutObjectResult> {
    return this.transaction(async (q): Promise<PutObjectResult> => {
      if (!(await this.shareBucket(q, object.bucket))) return "no-bucket";
      return { replacedBlobId: await this.upsertObject(q, object) };
    });
  }

  async getObject(bucket: string, key: string): Promise<S3Object | undefined> {
    const { rows } = await this.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM s3_objects WHERE bucket = $1 AND key = $2`, [
      bucket,
      key,
    ]);
    return rows[0] && toObject(rows[0]);
  }

  async deleteObject(bucket: string, key: string): Promise<S3Object | undefined> {
    // One statement: of several deleting at once, one gets the row (and its blob).
    const { rows } = await this.query<ObjectRow>(
      `DELETE FROM s3_objects WHERE bucket = $1 AND key = $2 RETURNING ${OBJECT_COLUMNS}`,
      [bucket, key],
    );
    return rows[0] && toObject(rows[0]);
  }

  async listObjects(bucket: string, options: KeyRange & { limit: number }): Promise<Page<S3Object>> {
    const bounds = keyBounds(options);
    if (bounds === "empty") return { items: [] };
    const { sql, values } = listObjectsSql("postgres", bucket, bounds, options.limit);
    const rows = await this.listing<ObjectRow>(sql, values);
    return pageOf(rows, options.limit, toObject, (o) => o.key);
  }

  /**
   * Not part of Store: PostgreSQL's plan for the statement listObjects runs with these options,
   * under the same settings, executed (EXPLAIN ANALYZE, without costs and timings: the nodes,
   * the rows each produced, the pages touched), for the test that shows a listing is an index range.
   */
  async explainListObjects(bucket: string, options: KeyRange & { limit: number }): Promise<string[]> {
    const bounds = keyBounds(options);
    if (bounds === "empty") return [];
    const { sql, values } = listObjectsSql("postgres", bucket, bounds, options.limit);
    const rows = await this.listing<{ "QUERY PLAN": string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`,
      values,
    );
    return rows.map((r) => r["QUERY PLAN"]);
  }

  async createUpload(upload: MultipartUpload): Promise<CreateUploadResult> {
    return this.transaction(async (q): Promise<CreateUploadResult> => {
      if (!(await this.shareBucket(q, upload.bucket))) return "no-bucket";
      await q(`INSERT INTO s3_uploads (${UPLOAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
        upload.uploadId,
        upload.bucket,
        upload.key,
        upload.initiatedAt.getTime(),
        uploadAttrsJson(upload),
      ]);
      return "created";
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | undefined> {
    const { rows } = await this.query<UploadRow>(
      `SELECT ${UPLOAD_COLUMNS} FROM s3_uploads WHERE upload_id = $1 AND bucket = $2 AND key = $3`,
      [uploadId, bucket, key],
    );
    return rows[0] && toUpload(rows[0]);
  }

  /** Locks the upload (of that bucket and key) in `mode` for the rest of the transaction; false when there is none. */
  private async lockUpload(
    q: Tx,
    bucket: string,
    key: string,
    uploadId: string,
    mode: "FOR UPDATE" | "FOR KEY SHARE",
  ): Promise<boolean> {
    const { rows } = await q(`SELECT 1 FROM s3_uploads WHERE upload_id = $1 AND bucket = $2 AND key = $3 ${mode}`, [
      uploadId,
      bucket,
      key,
    ]);
    return rows.length === 1;
  }

  async putPart(bucket: string, key: string, uploadId: string, part: UploadPart): Promise<PutPartResult> {
    return this.transaction(async (q): Promise<PutPartResult> => {
      // FOR KEY SHARE: parts of one upload go in side by side; completing or aborting it (FOR
      // UPDATE) waits for them, and they wait for it (then find the upload gone).
      if (!(await this.lockUpload(q, bucket, key, uploadId, "FOR KEY SHARE"))) return "no-upload";
      const values = [uploadId, ...partValues(part)];
      for (let attempt = 0; attempt < PostgresStore.UPSERT_ATTEMPTS; attempt++) {
        const { rows } = await q<{ blob_id: string }>(
          "SELECT blob_id FROM s3_parts WHERE upload_id = $1 AND part_number = $2 FOR UPDATE",
          [uploadId, part.partNumber],
        );
        if (rows[0]) {
          await q(
            `UPDATE s3_parts SET size = $3, etag = $4, blob_id = $5, checksum_algorithm = $6, checksum_value = $7, last_modified = $8
             WHERE upload_id = $1 AND part_number = $2`,
            values,
          );
          return { replacedBlobId: rows[0].blob_id };
        }
        const { rowCount } = await q(
          `INSERT INTO s3_parts (upload_id, ${PART_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (upload_id, part_number) DO NOTHING`,
          values,
        );
        if (rowCount === 1) return { replacedBlobId: null };
      }
      throw new Error(`putPart ${uploadId}#${part.partNumber}: the part kept changing hands`);
    });
  }

  async listParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { after?: number; limit: number },
  ): Promise<Page<UploadPart> | undefined> {
    // One statement, one snapshot: the upload's row (NULL part columns when it has no parts) and its parts.
    const { rows } = await this.query<{ [K in keyof PartRow]: PartRow[K] | null }>(
      `SELECT p.part_number, p.size, p.etag, p.blob_id, p.checksum_algorithm, p.checksum_value, p.last_modified
       FROM s3_uploads u
       LEFT JOIN LATERAL (
         SELECT ${PART_COLUMNS} FROM s3_parts WHERE upload_id = u.upload_id AND part_number > $4 ORDER BY part_number LIMIT $5
       ) p ON true
       WHERE u.upload_id = $1 AND u.bucket = $2 AND u.key = $3
       ORDER BY p.part_number`,
      [uploadId, bucket, key, options.after ?? 0, options.limit + 1],
    );
    if (rows.length === 0) return undefined;
    const parts = rows.filter((r): r is PartRow => r.part_number !== null);
    return pageOf(parts, options.limit, toPart, (p) => String(p.partNumber));
  }

  async listUploads(
    bucket: string,
    options: Omit<KeyRange, "after"> & { keyMarker?: string; uploadIdMarker?: string; limit: number },
  ): Promise<Page<MultipartUpload>> {
    let marker: LowerBound | undefined;
    if (options.keyMarker !== undefined) {
      marker = { key: options.keyMarker, kind: "gt" };
      if (options.uploadIdMarker !== undefined) {
        const { rows } = await this.query<{ key: string; initiated_at: number; upload_id: string }>(
          "SELECT key, initiated_at, upload_id FROM s3_uploads WHERE upload_id = $1 AND bucket = $2 AND key = $3",
          [options.uploadIdMarker, bucket, options.keyMarker],
        );
        const at = rows[0];
        if (at) marker = { key: at.key, kind: "row", row: [at.initiated_at, at.upload_id] };
      }
    }
    const bounds = keyBounds({ prefix: options.prefix, beyondPrefix: options.beyondPrefix }, marker);
    if (bounds === "empty") return { items: [] };
    const { sql, values } = listUploadsSql("postgres", bucket, bounds, options.limit);
    const rows = await this.listing<UploadRow>(sql, values);
    return pageOf(rows, options.limit, toUpload, (u) => u.key);
  }

  /** Removes an upload and its parts (the upload held FOR UPDATE); the parts' blobs by part number. */
  private async dropUpload(q: Tx, uploadId: string): Promise<{ part_number: number; blob_id: string }[]> {
    const { rows } = await q<{ part_number: number; blob_id: string }>(
      "DELETE FROM s3_parts WHERE upload_id = $1 RETURNING part_number, blob_id",
      [uploadId],
    );
    await q("DELETE FROM s3_uploads WHERE upload_id = $1", [uploadId]);
    return rows.sort((a, b) => a.part_number - b.part_number);
  }

  async completeUpload(
    uploadId: string,
    object: S3Object,
    parts: readonly Pick<UploadPart, "partNumber" | "blobId">[],
  ): Promise<CompleteUploadResult> {
    return this.transaction(async (q): Promise<CompleteUploadResult> => {
      // Bucket, then upload, then object. The bucket is there while the upload is; held FOR KEY
      // SHARE all the same, as every object write holds it.
      if (!(await this.shareBucket(q, object.bucket))) return "not-found";
      // FOR UPDATE: of a complete and an abort (or two completes), the second waits, then finds no row.
      if (!(await this.lockUpload(q, object.bucket, object.key, uploadId, "FOR UPDATE"))) return "not-found";
      // No putPart can be under way now (each holds the upload FOR KEY SHARE until it commits).
      const { rows: stored } = await q<{ part_number: number; blob_id: string }>(
        "SELECT part_number, blob_id FROM s3_parts WHERE upload_id = $1",
        [uploadId],
      );
      if (!partsUnchanged(stored, parts)) return "parts-changed";
      const dropped = await this.dropUpload(q, uploadId);
      const replacedBlobId = await this.upsertObject(q, object);
      return { partBlobIds: dropped.map((p) => p.blob_id), replacedBlobId };
    });
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<AbortUploadResult> {
    return this.transaction(async (q): Promise<AbortUploadResult> => {
      if (!(await this.lockUpload(q, bucket, key, uploadId, "FOR UPDATE"))) return "not-found";
      return { partBlobIds: (await this.dropUpload(q, uploadId)).map((p) => p.blob_id) };
    });
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

/** What the conditional writes on a managed policy decide on. */
interface PolicyState {
  policy_id: string;
  default_version: number;
  last_version: number;
}

/** A query bound to a transaction's connection. */
type Tx = <R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]) => Promise<{ rows: R[]; rowCount: number }>;

const txOf =
  (client: ClientBase): Tx =>
  async <R extends QueryResultRow>(text: string, values: unknown[] = []) => {
    const result = await client.query<R>(text, values);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };

/** A subject's attempt row, locked for the rest of the transaction (racing updates queue behind it). */
async function lockedAttemptRow(q: Tx, subject: string): Promise<AttemptRow | undefined> {
  const { rows } = await q<{ failures: unknown; locked_until: number | null }>("SELECT failures, locked_until FROM attempt_failures WHERE subject = $1 FOR UPDATE", [
    subject,
  ]);
  return rows[0] && { ...parseAttemptTimes(rows[0].failures), lockedUntil: rows[0].locked_until };
}

async function putAttemptRow(q: Tx, subject: string, row: AttemptRow): Promise<void> {
  await q("UPDATE attempt_failures SET failures = $2::jsonb, locked_until = $3 WHERE subject = $1", [subject, attemptTimesJson(row), row.lockedUntil]);
}
