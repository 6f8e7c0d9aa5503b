/**
 * The storage interface. The embedded SQLite store and the PostgreSQL store implement it; one
 * contract test suite (test/store-contract.test.ts) runs against each. Secrets arrive here
 * already sealed (see crypto/secret-box.ts): a store never sees a plaintext secret.
 *
 * Conditional writes (name conflicts, the per-user key quota, dependents on delete) are decided
 * inside the store, atomically, so two server processes on one database cannot both win.
 */

export interface Account {
  id: string;
  createdAt: Date;
}

export interface User {
  accountId: string;
  userId: string;
  userName: string;
  path: string;
  createdAt: Date;
}

export type AccessKeyStatus = "Active" | "Inactive";

export interface AccessKeyUse {
  date: Date;
  region: string;
  service: string;
}

export interface AccessKey {
  accessKeyId: string;
  accountId: string;
  /** null for the account's root user. */
  userName: string | null;
  /** The secret, sealed by the master key (never plaintext). */
  sealedSecret: string;
  status: AccessKeyStatus;
  createdAt: Date;
  lastUsed: AccessKeyUse | null;
}

export interface Page<T> {
  items: T[];
  /** The sort key of the last item when more follow, else undefined. */
  next?: string;
}

export type CreateUserResult = "created" | "exists";
export type UpdateUserResult = "updated" | "not-found" | "exists";
export type DeleteUserResult = "deleted" | "not-found" | "has-access-keys";
export type CreateAccessKeyResult = "created" | "no-user" | "quota";

export interface Store {
  createAccount(account: Account): Promise<void>;
  /** Accounts in creation order. */
  listAccounts(): Promise<Account[]>;

  createUser(user: User): Promise<CreateUserResult>;
  /** User names are case-insensitive in IAM: "Alice" finds "alice". */
  getUser(accountId: string, userName: string): Promise<User | undefined>;
  /** Users ordered by name (case-insensitive), starting after `after` (a previous page's `next`). */
  listUsers(accountId: string, options: { pathPrefix: string; after?: string; limit: number }): Promise<Page<User>>;
  updateUser(
    accountId: string,
    userName: string,
    changes: { newUserName?: string; newPath?: string },
  ): Promise<UpdateUserResult>;
  deleteUser(accountId: string, userName: string): Promise<DeleteUserResult>;

  /** Inserts the key unless the user (null = root) already has `quota` keys or does not exist. */
  createAccessKey(key: AccessKey, quota: number): Promise<CreateAccessKeyResult>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  listAccessKeys(accountId: string, userName: string | null): Promise<AccessKey[]>;
  /** False when the key does not exist for that user. */
  updateAccessKeyStatus(accountId: string, userName: string | null, accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
  deleteAccessKey(accountId: string, userName: string | null, accessKeyId: string): Promise<boolean>;
  recordAccessKeyUse(accessKeyId: string, use: AccessKeyUse): Promise<void>;

  close(): Promise<void>;
}
