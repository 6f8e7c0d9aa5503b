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

/** IAM tags (Key/Value), kept in the order given. */
export interface Tag {
  key: string;
  value: string;
}

export type MfaDeviceKind = "virtual" | "hardware";

/** Who an MFA device is enabled for, and since when. */
export interface MfaAssignment {
  /** null: the account's root user. */
  user: User | null;
  enabledAt: Date;
}

export interface MfaDevice {
  /** Virtual: `arn:aws:iam::ACCOUNT:mfa/[PATH/]NAME`; hardware: the vendor's serial. */
  serialNumber: string;
  accountId: string;
  /** "virtual": CreateVirtualMFADevice; "hardware": a TOTP token registered by `mfa-sts mfa import`. */
  kind: MfaDeviceKind;
  /** The virtual device's name and path (a hardware token: its serial and "/"). */
  name: string;
  path: string;
  /** The TOTP seed, sealed by the master key (never plaintext). */
  sealedSeed: string;
  tags: Tag[];
  createdAt: Date;
  /** null while the device is not enabled for anyone. */
  assignment: MfaAssignment | null;
  /** The last TOTP time step accepted from this device (replay protection); null before any. */
  lastStep: number | null;
  /** How many 30-second steps the device's clock runs ahead (+) or behind (−), learnt on enable/resync. */
  driftSteps: number;
}

/** What a successful code check (enable, resync) records on the device. */
export interface MfaSync {
  lastStep: number;
  driftSteps: number;
}

/** A token-ring key as stored: the key material sealed by the master key. */
export interface StoredTokenKey {
  id: number;
  sealedKey: string;
  createdAt: number;
}

export type CreateUserResult = "created" | "exists";
export type UpdateUserResult = "updated" | "not-found" | "exists";
export type DeleteUserResult = "deleted" | "not-found" | "has-access-keys" | "has-mfa-devices";
export type CreateAccessKeyResult = "created" | "no-user" | "quota";
export type CreateMfaDeviceResult = "created" | "exists";
/** "stale": the codes' step is not later than the device's last accepted step (a replay). */
export type EnableMfaDeviceResult = "enabled" | "no-user" | "no-device" | "in-use" | "limit" | "stale";
export type DeleteMfaDeviceResult = "deleted" | "not-found" | "assigned";

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
  /** By the user's unique id (AIDA…), which survives renames. */
  getUserById(accountId: string, userId: string): Promise<User | undefined>;
  deleteUser(accountId: string, userName: string): Promise<DeleteUserResult>;

  /** Inserts the key unless the user (null = root) already has `quota` keys or does not exist. */
  createAccessKey(key: AccessKey, quota: number): Promise<CreateAccessKeyResult>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  listAccessKeys(accountId: string, userName: string | null): Promise<AccessKey[]>;
  /** False when the key does not exist for that user. */
  updateAccessKeyStatus(accountId: string, userName: string | null, accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
  deleteAccessKey(accountId: string, userName: string | null, accessKeyId: string): Promise<boolean>;
  recordAccessKeyUse(accessKeyId: string, use: AccessKeyUse): Promise<void>;

  /** "exists" when the serial, or a virtual device's name (case-insensitive), is taken in the account. */
  createMfaDevice(device: MfaDevice): Promise<CreateMfaDeviceResult>;
  getMfaDevice(accountId: string, serialNumber: string): Promise<MfaDevice | undefined>;
  /** Devices enabled for the user (null = root), by serial. */
  listMfaDevices(accountId: string, userName: string | null): Promise<MfaDevice[]>;
  /** Virtual devices by serial; `assigned` filters on assignment (undefined: all). */
  listVirtualMfaDevices(
    accountId: string,
    options: { assigned?: boolean; after?: string; limit: number },
  ): Promise<Page<MfaDevice>>;
  /**
   * Enables an unassigned device for the user (null = root), atomically: refused when the device
   * is in use, the user already has `limit` devices, or `sync.lastStep` is not later than the
   * device's last accepted step.
   */
  enableMfaDevice(
    accountId: string,
    serialNumber: string,
    userName: string | null,
    sync: MfaSync,
    enabledAt: Date,
    limit: number,
  ): Promise<EnableMfaDeviceResult>;
  /** Records a resync on a device enabled for that user; false when it is not, or `sync` is stale. */
  resyncMfaDevice(accountId: string, serialNumber: string, userName: string | null, sync: MfaSync): Promise<boolean>;
  /** Unassigns a device enabled for that user; false when it is not. The last step is kept. */
  deactivateMfaDevice(accountId: string, serialNumber: string, userName: string | null): Promise<boolean>;
  deleteVirtualMfaDevice(accountId: string, serialNumber: string): Promise<DeleteMfaDeviceResult>;
  /**
   * The replay guard (DESIGN.md decision 3): sets the device's last accepted step to `step` only if
   * it is later than the stored one, atomically. True for exactly one of several racing callers.
   */
  acceptMfaStep(serialNumber: string, step: number): Promise<boolean>;

  /** The session-token key ring, oldest first. */
  listTokenKeys(): Promise<StoredTokenKey[]>;
  /** Adds a key; a key with the same id already stored is left as it is. */
  addTokenKey(key: StoredTokenKey): Promise<void>;
  deleteTokenKeys(ids: readonly number[]): Promise<void>;

  close(): Promise<void>;
}

/**
 * The store cannot be reached (a database restarting, a pool exhausted past its timeout): the
 * request fails with AWS's 503 ServiceUnavailable instead of a 500, and may be retried.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
