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
  CreateUserResult,
  DeleteUserResult,
  Page,
  Store,
  UpdateUserResult,
  User,
} from "./store.js";

const SCHEMA_VERSION = 1;

const SCHEMA = `
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
`;

interface UserRow {
  user_id: string;
  account_id: string;
  user_name: string;
  path: string;
  created_at: number;
}
interface KeyRow {
  access_key_id: string;
  account_id: string;
  user_name: string | null;
  sealed_secret: string;
  status: AccessKeyStatus;
  created_at: number;
  last_used_at: number | null;
  last_used_region: string | null;
  last_used_service: string | null;
}

const toUser = (r: UserRow): User => ({
  accountId: r.account_id,
  userId: r.user_id,
  userName: r.user_name,
  path: r.path,
  createdAt: new Date(r.created_at),
});

const toKey = (r: KeyRow): AccessKey => ({
  accessKeyId: r.access_key_id,
  accountId: r.account_id,
  userName: r.user_name,
  sealedSecret: r.sealed_secret,
  status: r.status,
  createdAt: new Date(r.created_at),
  lastUsed:
    r.last_used_at === null
      ? null
      : { date: new Date(r.last_used_at), region: r.last_used_region ?? "", service: r.last_used_service ?? "" },
});

const KEY_SELECT = `
  SELECT k.access_key_id, k.account_id, u.user_name, k.sealed_secret, k.status, k.created_at,
         k.last_used_at, k.last_used_region, k.last_used_service
  FROM access_keys k LEFT JOIN users u ON u.user_id = k.user_id`;

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
      deleteUser: db.prepare("DELETE FROM users WHERE user_id = ?"),
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
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new Error(`unsupported database schema version ${version} (expected ${SCHEMA_VERSION})`);
    this.db.transaction(() => {
      this.db.exec(SCHEMA);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
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
    const items = rows.slice(0, options.limit).map(toUser);
    return rows.length > options.limit ? { items, next: items[items.length - 1]!.userName.toLowerCase() } : { items };
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

  async deleteUser(accountId: string, userName: string): Promise<DeleteUserResult> {
    return this.db
      .transaction((): DeleteUserResult => {
        const row = this.q.getUser.get(accountId, userName) as UserRow | undefined;
        if (!row) return "not-found";
        if ((this.q.countKeys.get(accountId, row.user_id) as { n: number }).n > 0) return "has-access-keys";
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
