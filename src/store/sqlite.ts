/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode with synchronous=FULL so an
 * acknowledged write is on disk before the response leaves (it survives kill -9 and power loss).
 * better-sqlite3 is synchronous; each call is short and indexed, so the async interface simply
 * wraps it.
 */
import Database from "better-sqlite3";
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
  MfaSync,
  Page,
  Store,
  StoredTokenKey,
  UpdateUserResult,
  User,
} from "./store.js";
import { DEVICE_SELECT, KEY_SELECT, pageOf, toDevice, toKey, toUser, type DeviceRow, type KeyRow, type UserRow } from "./rows.js";

/**
 * Schema migrations, applied in order; `user_version` records how many have run. A database made
 * by an older release is brought up to date on open, each step in its own transaction.
 */
const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  user_name TEXT NOT NULL COLLATE NOCASE,
  path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, user_name)
);
CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  -- NULL: the account's root user
  user_id TEXT REFERENCES users(user_id),
  sealed_secret TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  last_used_region TEXT,
  last_used_service TEXT
);
CREATE INDEX access_keys_owner ON access_keys (account_id, user_id);
`,
  `
CREATE TABLE mfa_devices (
  serial_number TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL COLLATE NOCASE,
  path TEXT NOT NULL,
  sealed_seed TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- 1 when enabled for someone: user_id, or NULL for the root user
  assigned INTEGER NOT NULL DEFAULT 0,
  user_id TEXT REFERENCES users(user_id),
  enabled_at INTEGER,
  last_step INTEGER,
  drift_steps INTEGER NOT NULL DEFAULT 0
);
-- IAM names are unique per account whatever the path, and case-insensitive.
CREATE UNIQUE INDEX mfa_devices_virtual_name ON mfa_devices (account_id, name) WHERE kind = 'virtual';
CREATE INDEX mfa_devices_owner ON mfa_devices (account_id, user_id) WHERE assigned = 1;
CREATE TABLE token_keys (
  id INTEGER PRIMARY KEY,
  sealed_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
];

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly q;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate();
    const db = this.db;
    this.q = {
      insertAccount: db.prepare("INSERT INTO accounts (id, created_at) VALUES (?, ?)"),
      listAccounts: db.prepare("SELECT id, created_at FROM accounts ORDER BY created_at, id"),
      insertUser: db.prepare(
        "INSERT INTO users (user_id, account_id, user_name, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      getUser: db.prepare("SELECT * FROM users WHERE account_id = ? AND user_name = ?"),
      listUsers: db.prepare(
        `SELECT * FROM users WHERE account_id = ? AND substr(path, 1, length(?)) = ? AND lower(user_name) > ?
         ORDER BY lower(user_name) LIMIT ?`,
      ),
      renameUser: db.prepare("UPDATE users SET user_name = ?, path = ? WHERE user_id = ?"),
      getUserById: db.prepare("SELECT * FROM users WHERE account_id = ? AND user_id = ?"),
      deleteUser: db.prepare("DELETE FROM users WHERE user_id = ?"),
      countDevices: db.prepare("SELECT count(*) AS n FROM mfa_devices WHERE account_id = ? AND assigned = 1 AND user_id IS ?"),
      insertDevice: db.prepare(
        `INSERT INTO mfa_devices (serial_number, account_id, kind, name, path, sealed_seed, tags, created_at,
                                  assigned, user_id, enabled_at, last_step, drift_steps)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      getDevice: db.prepare(`${DEVICE_SELECT} WHERE d.account_id = ? AND d.serial_number = ?`),
      listUserDevices: db.prepare(
        `${DEVICE_SELECT} WHERE d.account_id = ? AND d.assigned = 1 AND d.user_id IS ? ORDER BY d.serial_number`,
      ),
      listVirtualDevices: db.prepare(
        `${DEVICE_SELECT} WHERE d.account_id = ? AND d.kind = 'virtual' AND (? IS NULL OR d.assigned = ?)
         AND d.serial_number > ? ORDER BY d.serial_number LIMIT ?`,
      ),
      enableDevice: db.prepare(
        `UPDATE mfa_devices SET assigned = 1, user_id = ?, enabled_at = ?, last_step = ?, drift_steps = ?
         WHERE account_id = ? AND serial_number = ? AND assigned = 0 AND (last_step IS NULL OR last_step < ?)`,
      ),
      resyncDevice: db.prepare(
        `UPDATE mfa_devices SET last_step = ?, drift_steps = ?
         WHERE account_id = ? AND serial_number = ? AND assigned = 1 AND user_id IS ? AND (last_step IS NULL OR last_step < ?)`,
      ),
      deactivateDevice: db.prepare(
        `UPDATE mfa_devices SET assigned = 0, user_id = NULL, enabled_at = NULL
         WHERE account_id = ? AND serial_number = ? AND assigned = 1 AND user_id IS ?`,
      ),
      deleteDevice: db.prepare("DELETE FROM mfa_devices WHERE serial_number = ?"),
      acceptStep: db.prepare(
        "UPDATE mfa_devices SET last_step = ? WHERE serial_number = ? AND (last_step IS NULL OR last_step < ?)",
      ),
      listTokenKeys: db.prepare("SELECT id, sealed_key, created_at FROM token_keys ORDER BY created_at, id"),
      insertTokenKey: db.prepare("INSERT INTO token_keys (id, sealed_key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
      deleteTokenKey: db.prepare("DELETE FROM token_keys WHERE id = ?"),
      countKeys: db.prepare("SELECT count(*) AS n FROM access_keys WHERE account_id = ? AND user_id IS ?"),
      insertKey: db.prepare(
        `INSERT INTO access_keys (access_key_id, account_id, user_id, sealed_secret, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      getKey: db.prepare(`${KEY_SELECT} WHERE k.access_key_id = ?`),
      listKeys: db.prepare(`${KEY_SELECT} WHERE k.account_id = ? AND k.user_id IS ? ORDER BY k.created_at, k.access_key_id`),
      updateKeyStatus: db.prepare(
        "UPDATE access_keys SET status = ? WHERE access_key_id = ? AND account_id = ? AND user_id IS ?",
      ),
      deleteKey: db.prepare("DELETE FROM access_keys WHERE access_key_id = ? AND account_id = ? AND user_id IS ?"),
      useKey: db.prepare(
        "UPDATE access_keys SET last_used_at = ?, last_used_region = ?, last_used_service = ? WHERE access_key_id = ?",
      ),
    };
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`database schema version ${version} is newer than this mfa-sts (${MIGRATIONS.length}); upgrade mfa-sts`);
    }
    for (let next = version; next < MIGRATIONS.length; next++) {
      this.db.transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if ((this.db.pragma("user_version", { simple: true }) as number) !== next) return;
        this.db.exec(MIGRATIONS[next]!);
        this.db.pragma(`user_version = ${next + 1}`);
      }).immediate();
    }
  }

  /** The owner's user id: null for root, undefined when the named user does not exist. */
  private ownerId(accountId: string, userName: string | null): string | null | undefined {
    if (userName === null) return null;
    return (this.q.getUser.get(accountId, userName) as UserRow | undefined)?.user_id;
  }

  async createAccount(account: Account): Promise<void> {
    this.q.insertAccount.run(account.id, account.createdAt.getTime());
  }

  async listAccounts(): Promise<Account[]> {
    return (this.q.listAccounts.all() as { id: string; created_at: number }[]).map((r) => ({
      id: r.id,
      createdAt: new Date(r.created_at),
    }));
  }

  async createUser(user: User): Promise<CreateUserResult> {
    const info = this.q.insertUser.run(user.userId, user.accountId, user.userName, user.path, user.createdAt.getTime());
    return info.changes === 1 ? "created" : "exists";
  }

  async getUser(accountId: string, userName: string): Promise<User | undefined> {
    const row = this.q.getUser.get(accountId, userName) as UserRow | undefined;
    return row && toUser(row);
  }

  async listUsers(
    accountId: string,
    options: { pathPrefix: string; after?: string; limit: number },
  ): Promise<Page<User>> {
    const rows = this.q.listUsers.all(
      accountId,
      options.pathPrefix,
      options.pathPrefix,
      options.after ?? "",
      options.limit + 1,
    ) as UserRow[];
    return pageOf(rows, options.limit, toUser, (u) => u.userName.toLowerCase());
  }

  async updateUser(
    accountId: string,
    userName: string,
    changes: { newUserName?: string; newPath?: string },
  ): Promise<UpdateUserResult> {
    return this.db
      .transaction((): UpdateUserResult => {
        const row = this.q.getUser.get(accountId, userName) as UserRow | undefined;
        if (!row) return "not-found";
        const name = changes.newUserName ?? row.user_name;
        const clash = this.q.getUser.get(accountId, name) as UserRow | undefined;
        if (clash && clash.user_id !== row.user_id) return "exists";
        this.q.renameUser.run(name, changes.newPath ?? row.path, row.user_id);
        return "updated";
      })
      .immediate();
  }

  async getUserById(accountId: string, userId: string): Promise<User | undefined> {
    const row = this.q.getUserById.get(accountId, userId) as UserRow | undefined;
    return row && toUser(row);
  }

  async deleteUser(accountId: string, userName: string): Promise<DeleteUserResult> {
    return this.db
      .transaction((): DeleteUserResult => {
        const row = this.q.getUser.get(accountId, userName) as UserRow | undefined;
        if (!row) return "not-found";
        if ((this.q.countKeys.get(accountId, row.user_id) as { n: number }).n > 0) return "has-access-keys";
        if ((this.q.countDevices.get(accountId, row.user_id) as { n: number }).n > 0) return "has-mfa-devices";
        this.q.deleteUser.run(row.user_id);
        return "deleted";
      })
      .immediate();
  }

  async createAccessKey(key: AccessKey, quota: number): Promise<CreateAccessKeyResult> {
    return this.db
      .transaction((): CreateAccessKeyResult => {
        const owner = this.ownerId(key.accountId, key.userName);
        if (owner === undefined) return "no-user";
        if ((this.q.countKeys.get(key.accountId, owner) as { n: number }).n >= quota) return "quota";
        this.q.insertKey.run(key.accessKeyId, key.accountId, owner, key.sealedSecret, key.status, key.createdAt.getTime());
        return "created";
      })
      .immediate();
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKey | undefined> {
    const row = this.q.getKey.get(accessKeyId) as KeyRow | undefined;
    return row && toKey(row);
  }

  async listAccessKeys(accountId: string, userName: string | null): Promise<AccessKey[]> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return [];
    return (this.q.listKeys.all(accountId, owner) as KeyRow[]).map(toKey);
  }

  async updateAccessKeyStatus(
    accountId: string,
    userName: string | null,
    accessKeyId: string,
    status: AccessKeyStatus,
  ): Promise<boolean> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return false;
    return this.q.updateKeyStatus.run(status, accessKeyId, accountId, owner).changes === 1;
  }

  async deleteAccessKey(accountId: string, userName: string | null, accessKeyId: string): Promise<boolean> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return false;
    return this.q.deleteKey.run(accessKeyId, accountId, owner).changes === 1;
  }

  async recordAccessKeyUse(accessKeyId: string, use: AccessKeyUse): Promise<void> {
    this.q.useKey.run(use.date.getTime(), use.region, use.service, accessKeyId);
  }

  async createMfaDevice(d: MfaDevice): Promise<CreateMfaDeviceResult> {
    return this.db
      .transaction((): CreateMfaDeviceResult => {
        let owner: string | null = null;
        if (d.assignment?.user) {
          owner = this.ownerId(d.accountId, d.assignment.user.userName) ?? null;
          if (owner === null) throw new Error(`no user ${d.assignment.user.userName}`);
        }
        const info = this.q.insertDevice.run(
          d.serialNumber,
          d.accountId,
          d.kind,
          d.name,
          d.path,
          d.sealedSeed,
          JSON.stringify(d.tags),
          d.createdAt.getTime(),
          d.assignment ? 1 : 0,
          owner,
          d.assignment ? d.assignment.enabledAt.getTime() : null,
          d.lastStep,
          d.driftSteps,
        );
        return info.changes === 1 ? "created" : "exists";
      })
      .immediate();
  }

  async getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDevice | undefined> {
    const row = this.q.getDevice.get(accountId, serialNumber) as DeviceRow | undefined;
    return row && toDevice(row);
  }

  async listMfaDevices(accountId: string, userName: string | null): Promise<MfaDevice[]> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return [];
    return (this.q.listUserDevices.all(accountId, owner) as DeviceRow[]).map(toDevice);
  }

  async listVirtualMfaDevices(
    accountId: string,
    options: { assigned?: boolean; after?: string; limit: number },
  ): Promise<Page<MfaDevice>> {
    const assigned = options.assigned === undefined ? null : options.assigned ? 1 : 0;
    const rows = this.q.listVirtualDevices.all(
      accountId,
      assigned,
      assigned,
      options.after ?? "",
      options.limit + 1,
    ) as DeviceRow[];
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
    return this.db
      .transaction((): EnableMfaDeviceResult => {
        const owner = this.ownerId(accountId, userName);
        if (owner === undefined) return "no-user";
        const row = this.q.getDevice.get(accountId, serialNumber) as DeviceRow | undefined;
        if (!row) return "no-device";
        if (row.assigned === 1) return "in-use";
        if ((this.q.countDevices.get(accountId, owner) as { n: number }).n >= limit) return "limit";
        const info = this.q.enableDevice.run(
          owner,
          enabledAt.getTime(),
          sync.lastStep,
          sync.driftSteps,
          accountId,
          serialNumber,
          sync.lastStep,
        );
        return info.changes === 1 ? "enabled" : "stale";
      })
      .immediate();
  }

  async resyncMfaDevice(accountId: string, serialNumber: string, userName: string | null, sync: MfaSync): Promise<boolean> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return false;
    return (
      this.q.resyncDevice.run(sync.lastStep, sync.driftSteps, accountId, serialNumber, owner, sync.lastStep).changes === 1
    );
  }

  async deactivateMfaDevice(accountId: string, serialNumber: string, userName: string | null): Promise<boolean> {
    const owner = this.ownerId(accountId, userName);
    if (owner === undefined) return false;
    return this.q.deactivateDevice.run(accountId, serialNumber, owner).changes === 1;
  }

  async deleteVirtualMfaDevice(accountId: string, serialNumber: string): Promise<DeleteMfaDeviceResult> {
    return this.db
      .transaction((): DeleteMfaDeviceResult => {
        const row = this.q.getDevice.get(accountId, serialNumber) as DeviceRow | undefined;
        if (!row || row.kind !== "virtual") return "not-found";
        if (row.assigned === 1) return "assigned";
        this.q.deleteDevice.run(serialNumber);
        return "deleted";
      })
      .immediate();
  }

  async acceptMfaStep(serialNumber: string, step: number): Promise<boolean> {
    return this.q.acceptStep.run(step, serialNumber, step).changes === 1;
  }

  async listTokenKeys(): Promise<StoredTokenKey[]> {
    return (this.q.listTokenKeys.all() as { id: number; sealed_key: string; created_at: number }[]).map((r) => ({
      id: r.id,
      sealedKey: r.sealed_key,
      createdAt: r.created_at,
    }));
  }

  async addTokenKey(key: StoredTokenKey): Promise<void> {
    this.q.insertTokenKey.run(key.id, key.sealedKey, key.createdAt);
  }

  async deleteTokenKeys(ids: readonly number[]): Promise<void> {
    this.db.transaction(() => {
      for (const id of ids) this.q.deleteTokenKey.run(id);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
