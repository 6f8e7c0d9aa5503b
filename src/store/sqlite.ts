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

/**
 * Schema migrations, applied in order; `user_version` records how many have run. A database made
 * by an older release is brought up to date on open, each step in its own transaction. (Exported
 * for the upgrade test, which makes a database as an older release did.)
 */
export const MIGRATIONS: readonly string[] = [
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
  // Groups, inline policies, customer managed policies and their versions, attachments (issue 12).
  // Everything an owner has is keyed by its id, so it follows the owner through a rename.
  `
CREATE TABLE groups (
  group_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  group_name TEXT NOT NULL COLLATE NOCASE,
  path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, group_name)
);
CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES groups(group_id),
  user_id TEXT NOT NULL REFERENCES users(user_id),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, group_id);
-- Inline policies: names are exact (case-sensitive); size as IAM counts it, for the aggregate limit.
CREATE TABLE user_policies (
  user_id TEXT NOT NULL REFERENCES users(user_id),
  policy_name TEXT NOT NULL,
  document TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (user_id, policy_name)
);
CREATE TABLE group_policies (
  group_id TEXT NOT NULL REFERENCES groups(group_id),
  policy_name TEXT NOT NULL,
  document TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (group_id, policy_name)
);
CREATE TABLE policies (
  policy_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  policy_name TEXT NOT NULL COLLATE NOCASE,
  path TEXT NOT NULL,
  arn TEXT NOT NULL,
  description TEXT,
  default_version INTEGER NOT NULL,
  -- the highest version number ever made: the next is one more, so none is reused
  last_version INTEGER NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (account_id, policy_name),
  UNIQUE (account_id, arn)
);
CREATE TABLE policy_versions (
  policy_id TEXT NOT NULL REFERENCES policies(policy_id),
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (policy_id, version)
);
-- Attachments by ARN: customer managed policies of the account, or AWS managed ones (not stored).
CREATE TABLE user_attached_policies (
  user_id TEXT NOT NULL REFERENCES users(user_id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  policy_arn TEXT NOT NULL,
  PRIMARY KEY (user_id, policy_arn)
);
CREATE INDEX user_attached_policies_arn ON user_attached_policies (account_id, policy_arn);
CREATE TABLE group_attached_policies (
  group_id TEXT NOT NULL REFERENCES groups(group_id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  policy_arn TEXT NOT NULL,
  PRIMARY KEY (group_id, policy_arn)
);
CREATE INDEX group_attached_policies_arn ON group_attached_policies (account_id, policy_arn);
`,
  // S3 (issue 13): buckets (one namespace for every account), object records, multipart uploads
  // and their parts. Bodies are blobs outside the database, named by blob_id. Keys compare
  // bytewise (BINARY, SQLite's default), as S3 lists them. Objects and parts are WITHOUT ROWID
  // tables clustered on their primary keys: a listing page is one range of the table's own b-tree.
  `
CREATE TABLE s3_buckets (
  name TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  region TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX s3_buckets_account ON s3_buckets (account_id, name);
CREATE TABLE s3_objects (
  bucket TEXT NOT NULL REFERENCES s3_buckets(name),
  key TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  -- JSON: contentType, metadata (ordered name/value pairs), headers, checksum
  attrs TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE TABLE s3_uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES s3_buckets(name),
  key TEXT NOT NULL,
  initiated_at INTEGER NOT NULL,
  -- JSON: the object's attributes to be, the initiator, the checksum algorithm and type
  attrs TEXT NOT NULL
);
CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, initiated_at, upload_id);
CREATE TABLE s3_parts (
  upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id),
  part_number INTEGER NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
  size INTEGER NOT NULL CHECK (size >= 0),
  etag TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  checksum_algorithm TEXT,
  checksum_value TEXT,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
`,
  // IAM roles (issue 14). A role owns inline policies and attachments as users and groups do,
  // keyed by its id; names are unique per account whatever the path, and case-insensitive.
  `
CREATE TABLE roles (
  role_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  role_name TEXT NOT NULL COLLATE NOCASE,
  path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- the trust policy exactly as sent
  trust_policy TEXT NOT NULL,
  description TEXT,
  max_session_duration INTEGER NOT NULL CHECK (max_session_duration BETWEEN 3600 AND 43200),
  -- JSON: [{key, value}] in order
  tags TEXT NOT NULL,
  UNIQUE (account_id, role_name)
);
CREATE TABLE role_policies (
  role_id TEXT NOT NULL REFERENCES roles(role_id),
  policy_name TEXT NOT NULL,
  document TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (role_id, policy_name)
);
CREATE TABLE role_attached_policies (
  role_id TEXT NOT NULL REFERENCES roles(role_id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  policy_arn TEXT NOT NULL,
  PRIMARY KEY (role_id, policy_arn)
);
CREATE INDEX role_attached_policies_arn ON role_attached_policies (account_id, policy_arn);
`,
  // Attempt limits (issue 16): failed MFA codes per device (`mfa:SERIAL`) and bad signatures per
  // long-term key (`key:AKIA…`). Not tied to the devices' and keys' rows by foreign keys: a lock
  // outlives a device deleted and made again under its serial, for at most the lockout.
  `
CREATE TABLE attempt_failures (
  subject TEXT PRIMARY KEY,
  -- JSON array of the failure times (ms) still counted, oldest first
  failures TEXT NOT NULL DEFAULT '[]',
  locked_until INTEGER
) WITHOUT ROWID;
`,
];

/** The statements on one kind of policy owner's rows (users or groups), by the owner's id. */
function ownerStatements(db: Database.Database, kind: PolicyOwner["kind"]) {
  const o = OWNER_TABLES[kind];
  return {
    id: db.prepare(`SELECT ${o.id} AS id FROM ${o.table} WHERE account_id = ? AND ${o.name} = ?`),
    otherInlineSize: db.prepare(
      `SELECT coalesce(sum(size), 0) AS n FROM ${o.inline} WHERE ${o.id} = ? AND policy_name <> ?`,
    ),
    putInline: db.prepare(
      `INSERT INTO ${o.inline} (${o.id}, policy_name, document, size) VALUES (?, ?, ?, ?)
       ON CONFLICT (${o.id}, policy_name) DO UPDATE SET document = excluded.document, size = excluded.size`,
    ),
    getInline: db.prepare(`SELECT document FROM ${o.inline} WHERE ${o.id} = ? AND policy_name = ?`),
    listInline: db.prepare(`SELECT policy_name FROM ${o.inline} WHERE ${o.id} = ? ORDER BY policy_name`),
    deleteInline: db.prepare(`DELETE FROM ${o.inline} WHERE ${o.id} = ? AND policy_name = ?`),
    isAttached: db.prepare(`SELECT EXISTS (SELECT 1 FROM ${o.attached} WHERE ${o.id} = ? AND policy_arn = ?) AS n`),
    countAttached: db.prepare(`SELECT count(*) AS n FROM ${o.attached} WHERE ${o.id} = ?`),
    attach: db.prepare(`INSERT INTO ${o.attached} (${o.id}, account_id, policy_arn) VALUES (?, ?, ?)`),
    detach: db.prepare(`DELETE FROM ${o.attached} WHERE ${o.id} = ? AND policy_arn = ?`),
    listAttached: db.prepare(`SELECT policy_arn FROM ${o.attached} WHERE ${o.id} = ? ORDER BY policy_arn`),
  };
}

/** What the conditional writes on a managed policy decide on. */
interface PolicyState {
  policy_id: string;
  default_version: number;
  last_version: number;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly q;
  /** Statements on users' and groups' policies. */
  private readonly owners;
  /** Statements whose text depends on the call (listing ranges), prepared once per shape. */
  private readonly shaped = new Map<string, Database.Statement>();

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
      userDependents: db.prepare(
        `SELECT EXISTS (SELECT 1 FROM user_policies WHERE user_id = ?) AS inline,
                EXISTS (SELECT 1 FROM user_attached_policies WHERE user_id = ?) AS attached,
                EXISTS (SELECT 1 FROM group_members WHERE user_id = ?) AS groups`,
      ),

      insertGroup: db.prepare(
        "INSERT INTO groups (group_id, account_id, group_name, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ),
      getGroup: db.prepare("SELECT * FROM groups WHERE account_id = ? AND group_name = ?"),
      listGroups: db.prepare(
        `SELECT * FROM groups WHERE account_id = ? AND substr(path, 1, length(?)) = ? AND lower(group_name) > ?
         ORDER BY lower(group_name) LIMIT ?`,
      ),
      groupDependents: db.prepare(
        `SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ?) AS members,
                EXISTS (SELECT 1 FROM group_policies WHERE group_id = ?) AS inline,
                EXISTS (SELECT 1 FROM group_attached_policies WHERE group_id = ?) AS attached`,
      ),
      deleteGroup: db.prepare("DELETE FROM groups WHERE group_id = ?"),
      isMember: db.prepare("SELECT EXISTS (SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?) AS n"),
      countUserGroups: db.prepare("SELECT count(*) AS n FROM group_members WHERE user_id = ?"),
      addMember: db.prepare("INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING"),
      removeMember: db.prepare("DELETE FROM group_members WHERE group_id = ? AND user_id = ?"),
      listMembers: db.prepare(
        `SELECT u.* FROM group_members m JOIN users u ON u.user_id = m.user_id
         WHERE m.group_id = ? AND lower(u.user_name) > ? ORDER BY lower(u.user_name) LIMIT ?`,
      ),
      listUserGroups: db.prepare(
        `SELECT g.* FROM group_members m JOIN groups g ON g.group_id = m.group_id
         WHERE m.user_id = ? AND lower(g.group_name) > ? ORDER BY lower(g.group_name) LIMIT ?`,
      ),

      insertPolicy: db.prepare(
        `INSERT INTO policies (policy_id, account_id, policy_name, path, arn, description, default_version, last_version,
                               tags, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      getPolicy: db.prepare(`${POLICY_SELECT} WHERE p.account_id = ? AND p.arn = ?`),
      listPolicies: db.prepare(`${POLICY_SELECT} WHERE p.account_id = ?`),
      policyState: db.prepare(
        "SELECT policy_id, default_version, last_version FROM policies WHERE account_id = ? AND arn = ?",
      ),
      countAttachments: db.prepare(countAttachmentsSql("@account", "@arn")),
      deletePolicy: db.prepare("DELETE FROM policies WHERE policy_id = ?"),
      insertVersion: db.prepare("INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES (?, ?, ?, ?)"),
      countVersions: db.prepare("SELECT count(*) AS n FROM policy_versions WHERE policy_id = ?"),
      versionExists: db.prepare("SELECT EXISTS (SELECT 1 FROM policy_versions WHERE policy_id = ? AND version = ?) AS n"),
      deleteVersion: db.prepare("DELETE FROM policy_versions WHERE policy_id = ? AND version = ?"),
      deleteVersions: db.prepare("DELETE FROM policy_versions WHERE policy_id = ?"),
      recordVersion: db.prepare("UPDATE policies SET last_version = ? WHERE policy_id = ?"),
      setDefault: db.prepare("UPDATE policies SET default_version = ?, updated_at = ? WHERE policy_id = ?"),
      getVersion: db.prepare(`${VERSION_SELECT} WHERE p.account_id = ? AND p.arn = ? AND v.version = ?`),
      listVersions: db.prepare(`${VERSION_SELECT} WHERE p.account_id = ? AND p.arn = ? ORDER BY v.version DESC`),
      usersOfPolicy: db.prepare(
        `SELECT u.* FROM user_attached_policies a JOIN users u ON u.user_id = a.user_id
         WHERE a.account_id = ? AND a.policy_arn = ? ORDER BY lower(u.user_name)`,
      ),
      groupsOfPolicy: db.prepare(
        `SELECT g.* FROM group_attached_policies a JOIN groups g ON g.group_id = a.group_id
         WHERE a.account_id = ? AND a.policy_arn = ? ORDER BY lower(g.group_name)`,
      ),
      effectivePolicies: db.prepare(effectivePoliciesSql("?", "?")),
      rolesOfPolicy: db.prepare(
        `SELECT r.* FROM role_attached_policies a JOIN roles r ON r.role_id = a.role_id
         WHERE a.account_id = ? AND a.policy_arn = ? ORDER BY lower(r.role_name)`,
      ),

      insertRole: db.prepare(
        `INSERT INTO roles (role_id, account_id, role_name, path, created_at, trust_policy, description,
                            max_session_duration, tags)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      getRole: db.prepare("SELECT * FROM roles WHERE account_id = ? AND role_name = ?"),
      listRoles: db.prepare(
        `SELECT * FROM roles WHERE account_id = ? AND substr(path, 1, length(?)) = ? AND lower(role_name) > ?
         ORDER BY lower(role_name) LIMIT ?`,
      ),
      updateRole: db.prepare(
        `UPDATE roles SET description = coalesce(?, description), max_session_duration = coalesce(?, max_session_duration),
                          trust_policy = coalesce(?, trust_policy)
         WHERE account_id = ? AND role_name = ? RETURNING *`,
      ),
      setRoleTags: db.prepare("UPDATE roles SET tags = ? WHERE role_id = ?"),
      roleDependents: db.prepare(
        `SELECT EXISTS (SELECT 1 FROM role_attached_policies WHERE role_id = @id) AS attached,
                EXISTS (SELECT 1 FROM role_policies WHERE role_id = @id) AS inline`,
      ),
      deleteRole: db.prepare("DELETE FROM roles WHERE role_id = ?"),
      effectiveRolePolicies: db.prepare(effectiveRolePoliciesSql("?", "?")),

      getBucket: db.prepare("SELECT name, account_id, region, created_at FROM s3_buckets WHERE name = ?"),
      insertBucket: db.prepare("INSERT INTO s3_buckets (name, account_id, region, created_at) VALUES (?, ?, ?, ?)"),
      bucketContents: db.prepare(
        `SELECT EXISTS (SELECT 1 FROM s3_objects WHERE bucket = ?) AS objects,
                EXISTS (SELECT 1 FROM s3_uploads WHERE bucket = ?) AS uploads`,
      ),
      deleteBucket: db.prepare("DELETE FROM s3_buckets WHERE name = ?"),
      getObject: db.prepare(`SELECT ${OBJECT_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ?`),
      objectBlob: db.prepare("SELECT blob_id FROM s3_objects WHERE bucket = ? AND key = ?"),
      upsertObject: db.prepare(
        `INSERT INTO s3_objects (${OBJECT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag,
           last_modified = excluded.last_modified, blob_id = excluded.blob_id, attrs = excluded.attrs`,
      ),
      deleteObject: db.prepare(`DELETE FROM s3_objects WHERE bucket = ? AND key = ? RETURNING ${OBJECT_COLUMNS}`),
      insertUpload: db.prepare(`INSERT INTO s3_uploads (${UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
      getUpload: db.prepare(`SELECT ${UPLOAD_COLUMNS} FROM s3_uploads WHERE upload_id = ? AND bucket = ? AND key = ?`),
      deleteUpload: db.prepare("DELETE FROM s3_uploads WHERE upload_id = ?"),
      partBlob: db.prepare("SELECT blob_id FROM s3_parts WHERE upload_id = ? AND part_number = ?"),
      upsertPart: db.prepare(
        `INSERT INTO s3_parts (upload_id, ${PART_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, etag = excluded.etag,
           blob_id = excluded.blob_id, checksum_algorithm = excluded.checksum_algorithm,
           checksum_value = excluded.checksum_value, last_modified = excluded.last_modified`,
      ),
      listParts: db.prepare(
        `SELECT ${PART_COLUMNS} FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?`,
      ),
      partBlobs: db.prepare("SELECT part_number, blob_id FROM s3_parts WHERE upload_id = ? ORDER BY part_number"),
      deleteParts: db.prepare("DELETE FROM s3_parts WHERE upload_id = ?"),

      getAttempts: db.prepare("SELECT failures, locked_until FROM attempt_failures WHERE subject = ?"),
      putAttempts: db.prepare(
        `INSERT INTO attempt_failures (subject, failures, locked_until) VALUES (?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
      ),
      clearAttempts: db.prepare("DELETE FROM attempt_failures WHERE subject = ? AND (locked_until IS NULL OR locked_until <= ?)"),
      deleteAttempts: db.prepare("DELETE FROM attempt_failures WHERE subject = ?"),
    };
    this.owners = { user: ownerStatements(db, "user"), group: ownerStatements(db, "group"), role: ownerStatements(db, "role") };
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
        const deps = this.q.userDependents.get(row.user_id, row.user_id, row.user_id) as { inline: number; attached: number; groups: number };
        if (deps.inline) return "has-inline-policies";
        if (deps.attached) return "has-attached-policies";
        if (deps.groups) return "in-groups";
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

  private attemptRow(subject: string): AttemptRow | undefined {
    const row = this.q.getAttempts.get(subject) as { failures: string; locked_until: number | null } | undefined;
    return row && { ...parseAttemptTimes(row.failures), lockedUntil: row.locked_until };
  }

  private putAttemptRow(subject: string, row: AttemptRow | null): void {
    if (row === null) this.q.deleteAttempts.run(subject);
    else this.q.putAttempts.run(subject, attemptTimesJson(row), row.lockedUntil);
  }

  async getAttempts(subject: string): Promise<AttemptRecord | undefined> {
    const row = this.attemptRow(subject);
    return row && { failures: row.failureTimes.length, lockedUntil: row.lockedUntil };
  }

  // Attempt rows are read and written under the write lock (IMMEDIATE): other processes on the file wait their turn.
  async recordFailedAttempt(subject: string, now: number, limits: AttemptLimits): Promise<FailedAttemptResult> {
    return this.db
      .transaction((): FailedAttemptResult => {
        const { write, result } = nextAfterFailure(this.attemptRow(subject), now, limits);
        if (write) this.putAttemptRow(subject, write);
        return result;
      })
      .immediate();
  }

  async clearFailedAttempts(subject: string, now: number): Promise<void> {
    this.q.clearAttempts.run(subject, now);
  }

  async beginAttempt(subject: string, now: number, limits: AttemptLimits): Promise<BeginAttemptResult> {
    return this.db
      .transaction((): BeginAttemptResult => {
        const { write, result } = nextAfterBegin(this.attemptRow(subject), now, limits);
        if (write) this.putAttemptRow(subject, write);
        return result;
      })
      .immediate();
  }

  async settleAttempt(subject: string, at: number, verdict: AttemptVerdict, now: number, limits: AttemptLimits): Promise<FailedAttemptResult | undefined> {
    return this.db
      .transaction((): FailedAttemptResult | undefined => {
        const { write, result } = nextAfterSettle(this.attemptRow(subject), at, verdict, now, limits);
        this.putAttemptRow(subject, write);
        return result;
      })
      .immediate();
  }

  /** The id of a policy owner (a user or a group, by case-insensitive name); undefined when there is none. */
  private policyOwnerId(accountId: string, owner: PolicyOwner): string | undefined {
    return (this.owners[owner.kind].id.get(accountId, owner.name) as { id: string } | undefined)?.id;
  }

  async createGroup(group: Group): Promise<CreateGroupResult> {
    const info = this.q.insertGroup.run(group.groupId, group.accountId, group.groupName, group.path, group.createdAt.getTime());
    return info.changes === 1 ? "created" : "exists";
  }

  async getGroup(accountId: string, groupName: string): Promise<Group | undefined> {
    const row = this.q.getGroup.get(accountId, groupName) as GroupRow | undefined;
    return row && toGroup(row);
  }

  async listGroups(
    accountId: string,
    options: { pathPrefix: string; after?: string; limit: number },
  ): Promise<Page<Group>> {
    const rows = this.q.listGroups.all(
      accountId,
      options.pathPrefix,
      options.pathPrefix,
      options.after ?? "",
      options.limit + 1,
    ) as GroupRow[];
    return pageOf(rows, options.limit, toGroup, (g) => g.groupName.toLowerCase());
  }

  async deleteGroup(accountId: string, groupName: string): Promise<DeleteGroupResult> {
    return this.db
      .transaction((): DeleteGroupResult => {
        const row = this.q.getGroup.get(accountId, groupName) as GroupRow | undefined;
        if (!row) return "not-found";
        const deps = this.q.groupDependents.get(row.group_id, row.group_id, row.group_id) as { members: number; inline: number; attached: number };
        if (deps.members) return "has-members";
        if (deps.inline) return "has-inline-policies";
        if (deps.attached) return "has-attached-policies";
        this.q.deleteGroup.run(row.group_id);
        return "deleted";
      })
      .immediate();
  }

  async addUserToGroup(accountId: string, groupName: string, userName: string, limit: number): Promise<AddUserToGroupResult> {
    return this.db
      .transaction((): AddUserToGroupResult => {
        const group = this.q.getGroup.get(accountId, groupName) as GroupRow | undefined;
        if (!group) return "no-group";
        const user = this.q.getUser.get(accountId, userName) as UserRow | undefined;
        if (!user) return "no-user";
        if ((this.q.isMember.get(group.group_id, user.user_id) as { n: number }).n) return "added";
        if ((this.q.countUserGroups.get(user.user_id) as { n: number }).n >= limit) return "limit";
        this.q.addMember.run(group.group_id, user.user_id);
        return "added";
      })
      .immediate();
  }

  async removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<RemoveUserFromGroupResult> {
    return this.db
      .transaction((): RemoveUserFromGroupResult => {
        // Recorded against AWS: with neither, the user is the one named.
        const user = this.q.getUser.get(accountId, userName) as UserRow | undefined;
        if (!user) return "no-user";
        const group = this.q.getGroup.get(accountId, groupName) as GroupRow | undefined;
        if (!group) return "no-group";
        this.q.removeMember.run(group.group_id, user.user_id);
        return "removed";
      })
      .immediate();
  }

  async listGroupMembers(
    accountId: string,
    groupName: string,
    options: { after?: string; limit: number },
  ): Promise<Page<User> | undefined> {
    const group = this.q.getGroup.get(accountId, groupName) as GroupRow | undefined;
    if (!group) return undefined;
    const rows = this.q.listMembers.all(group.group_id, options.after ?? "", options.limit + 1) as UserRow[];
    return pageOf(rows, options.limit, toUser, (u) => u.userName.toLowerCase());
  }

  async listGroupsForUser(
    accountId: string,
    userName: string,
    options: { after?: string; limit: number },
  ): Promise<Page<Group> | undefined> {
    const user = this.q.getUser.get(accountId, userName) as UserRow | undefined;
    if (!user) return undefined;
    const rows = this.q.listUserGroups.all(user.user_id, options.after ?? "", options.limit + 1) as GroupRow[];
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
    const q = this.owners[owner.kind];
    return this.db
      .transaction((): PutInlinePolicyResult => {
        const id = this.policyOwnerId(accountId, owner);
        if (id === undefined) return "no-owner";
        if ((q.otherInlineSize.get(id, policyName) as { n: number }).n + size > sizeLimit) return "too-large";
        q.putInline.run(id, policyName, document, size);
        return "put";
      })
      .immediate();
  }

  async getInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<string | "no-owner" | "not-found"> {
    const id = this.policyOwnerId(accountId, owner);
    if (id === undefined) return "no-owner";
    const row = this.owners[owner.kind].getInline.get(id, policyName) as { document: string } | undefined;
    return row ? row.document : "not-found";
  }

  async listInlinePolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined> {
    const id = this.policyOwnerId(accountId, owner);
    if (id === undefined) return undefined;
    return (this.owners[owner.kind].listInline.all(id) as { policy_name: string }[]).map((r) => r.policy_name);
  }

  async deleteInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<DeleteInlinePolicyResult> {
    return this.db
      .transaction((): DeleteInlinePolicyResult => {
        const id = this.policyOwnerId(accountId, owner);
        if (id === undefined) return "no-owner";
        return this.owners[owner.kind].deleteInline.run(id, policyName).changes === 1 ? "deleted" : "not-found";
      })
      .immediate();
  }

  async createPolicy(policy: ManagedPolicy, document: string): Promise<CreatePolicyResult> {
    return this.db
      .transaction((): CreatePolicyResult => {
        const info = this.q.insertPolicy.run(
          policy.policyId,
          policy.accountId,
          policy.policyName,
          policy.path,
          policy.arn,
          policy.description,
          tagsJson(policy.tags),
          policy.createdAt.getTime(),
          policy.updatedAt.getTime(),
        );
        if (info.changes !== 1) return "exists";
        this.q.insertVersion.run(policy.policyId, 1, document, policy.createdAt.getTime());
        return "created";
      })
      .immediate();
  }

  async getPolicy(accountId: string, arn: string): Promise<ManagedPolicy | undefined> {
    const row = this.q.getPolicy.get(accountId, arn) as PolicyRow | undefined;
    return row && toPolicy(row);
  }

  async listPolicies(accountId: string): Promise<ManagedPolicy[]> {
    return (this.q.listPolicies.all(accountId) as PolicyRow[]).map(toPolicy);
  }

  async deletePolicy(accountId: string, arn: string): Promise<DeletePolicyResult> {
    return this.db
      .transaction((): DeletePolicyResult => {
        const policy = this.q.policyState.get(accountId, arn) as PolicyState | undefined;
        if (!policy) return "not-found";
        if ((this.q.countAttachments.get({ account: accountId, arn }) as { n: number }).n > 0) return "attached";
        if ((this.q.countVersions.get(policy.policy_id) as { n: number }).n > 1) return "has-versions";
        this.q.deleteVersions.run(policy.policy_id);
        this.q.deletePolicy.run(policy.policy_id);
        return "deleted";
      })
      .immediate();
  }

  async createPolicyVersion(
    accountId: string,
    arn: string,
    document: string,
    setAsDefault: boolean,
    createdAt: Date,
    limit: number,
  ): Promise<CreatePolicyVersionResult> {
    return this.db
      .transaction((): CreatePolicyVersionResult => {
        const policy = this.q.policyState.get(accountId, arn) as PolicyState | undefined;
        if (!policy) return "not-found";
        if ((this.q.countVersions.get(policy.policy_id) as { n: number }).n >= limit) return "limit";
        const version = policy.last_version + 1;
        this.q.insertVersion.run(policy.policy_id, version, document, createdAt.getTime());
        this.q.recordVersion.run(version, policy.policy_id);
        if (setAsDefault) this.q.setDefault.run(version, createdAt.getTime(), policy.policy_id);
        return { versionId: versionId(version) };
      })
      .immediate();
  }

  async getPolicyVersion(accountId: string, arn: string, id: string): Promise<PolicyVersion | undefined> {
    const version = versionNumber(id);
    if (version === undefined) return undefined;
    const row = this.q.getVersion.get(accountId, arn, version) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async listPolicyVersions(accountId: string, arn: string): Promise<PolicyVersion[] | undefined> {
    // A policy always has its default version: no rows, no policy.
    const rows = this.q.listVersions.all(accountId, arn) as VersionRow[];
    return rows.length === 0 ? undefined : rows.map(toVersion);
  }

  async deletePolicyVersion(accountId: string, arn: string, id: string): Promise<DeletePolicyVersionResult> {
    const version = versionNumber(id);
    if (version === undefined) return "not-found";
    return this.db
      .transaction((): DeletePolicyVersionResult => {
        const policy = this.q.policyState.get(accountId, arn) as PolicyState | undefined;
        if (!policy || !(this.q.versionExists.get(policy.policy_id, version) as { n: number }).n) return "not-found";
        if (policy.default_version === version) return "default";
        this.q.deleteVersion.run(policy.policy_id, version);
        return "deleted";
      })
      .immediate();
  }

  async setDefaultPolicyVersion(
    accountId: string,
    arn: string,
    id: string,
    updatedAt: Date,
  ): Promise<SetDefaultPolicyVersionResult> {
    const version = versionNumber(id);
    if (version === undefined) return "not-found";
    return this.db
      .transaction((): SetDefaultPolicyVersionResult => {
        const policy = this.q.policyState.get(accountId, arn) as PolicyState | undefined;
        if (!policy || !(this.q.versionExists.get(policy.policy_id, version) as { n: number }).n) return "not-found";
        this.q.setDefault.run(version, updatedAt.getTime(), policy.policy_id);
        return "set";
      })
      .immediate();
  }

  async attachPolicy(
    accountId: string,
    owner: PolicyOwner,
    arn: string,
    customer: boolean,
    limit: number,
  ): Promise<AttachPolicyResult> {
    const q = this.owners[owner.kind];
    return this.db
      .transaction((): AttachPolicyResult => {
        const id = this.policyOwnerId(accountId, owner);
        if (id === undefined) return "no-owner";
        if (customer && !this.q.policyState.get(accountId, arn)) return "no-policy";
        if ((q.isAttached.get(id, arn) as { n: number }).n) return "attached";
        if ((q.countAttached.get(id) as { n: number }).n >= limit) return "limit";
        q.attach.run(id, accountId, arn);
        return "attached";
      })
      .immediate();
  }

  async detachPolicy(accountId: string, owner: PolicyOwner, arn: string): Promise<DetachPolicyResult> {
    return this.db
      .transaction((): DetachPolicyResult => {
        const id = this.policyOwnerId(accountId, owner);
        if (id === undefined) return "no-owner";
        return this.owners[owner.kind].detach.run(id, arn).changes === 1 ? "detached" : "not-attached";
      })
      .immediate();
  }

  async listAttachedPolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined> {
    const id = this.policyOwnerId(accountId, owner);
    if (id === undefined) return undefined;
    return (this.owners[owner.kind].listAttached.all(id) as { policy_arn: string }[]).map((r) => r.policy_arn);
  }

  async listEntitiesForPolicy(accountId: string, arn: string): Promise<{ users: User[]; groups: Group[]; roles: Role[] }> {
    return this.db.transaction(() => ({
      users: (this.q.usersOfPolicy.all(accountId, arn) as UserRow[]).map(toUser),
      groups: (this.q.groupsOfPolicy.all(accountId, arn) as GroupRow[]).map(toGroup),
      roles: (this.q.rolesOfPolicy.all(accountId, arn) as RoleRow[]).map(toRole),
    }))();
  }

  async countAttachments(accountId: string, arn: string): Promise<number> {
    return (this.q.countAttachments.get({ account: accountId, arn }) as { n: number }).n;
  }

  async effectivePolicies(accountId: string, userId: string): Promise<EffectivePolicy[] | undefined> {
    return toEffectivePolicies(this.q.effectivePolicies.all(accountId, userId) as EffectiveRow[]);
  }

  async createRole(role: Role): Promise<CreateRoleResult> {
    const info = this.q.insertRole.run(
      role.roleId,
      role.accountId,
      role.roleName,
      role.path,
      role.createdAt,
      role.assumeRolePolicyDocument,
      role.description ?? null,
      role.maxSessionDuration,
      tagsJson(role.tags),
    );
    return info.changes === 1 ? "created" : "exists";
  }

  async getRole(accountId: string, roleName: string): Promise<Role | undefined> {
    const row = this.q.getRole.get(accountId, roleName) as RoleRow | undefined;
    return row && toRole(row);
  }

  async listRoles(accountId: string, options: { pathPrefix: string; after?: string; limit: number }): Promise<Page<Role>> {
    const rows = this.q.listRoles.all(
      accountId,
      options.pathPrefix,
      options.pathPrefix,
      options.after ?? "",
      options.limit + 1,
    ) as RoleRow[];
    return pageOf(rows, options.limit, toRole, (r) => r.roleName.toLowerCase());
  }

  async updateRole(accountId: string, roleName: string, changes: RoleChanges): Promise<Role | undefined> {
    const row = this.q.updateRole.get(
      changes.description ?? null,
      changes.maxSessionDuration ?? null,
      changes.assumeRolePolicyDocument ?? null,
      accountId,
      roleName,
    ) as RoleRow | undefined;
    return row && toRole(row);
  }

  async deleteRole(accountId: string, roleName: string): Promise<DeleteRoleResult> {
    return this.db
      .transaction((): DeleteRoleResult => {
        const row = this.q.getRole.get(accountId, roleName) as RoleRow | undefined;
        if (!row) return "not-found";
        const deps = this.q.roleDependents.get({ id: row.role_id }) as { attached: number; inline: number };
        if (deps.attached) return "has-attached-policies";
        if (deps.inline) return "has-inline-policies";
        this.q.deleteRole.run(row.role_id);
        return "deleted";
      })
      .immediate();
  }

  async tagRole(accountId: string, roleName: string, tags: readonly Tag[], limit: number): Promise<TagRoleResult> {
    return this.db
      .transaction((): TagRoleResult => {
        const row = this.q.getRole.get(accountId, roleName) as RoleRow | undefined;
        if (!row) return "not-found";
        const merged = mergeTags(toRole(row).tags, tags);
        if (merged.length > limit) return "limit";
        this.q.setRoleTags.run(tagsJson(merged), row.role_id);
        return "tagged";
      })
      .immediate();
  }

  async untagRole(accountId: string, roleName: string, keys: readonly string[]): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const row = this.q.getRole.get(accountId, roleName) as RoleRow | undefined;
        if (!row) return false;
        this.q.setRoleTags.run(tagsJson(withoutTags(toRole(row).tags, keys)), row.role_id);
        return true;
      })
      .immediate();
  }

  async effectiveRolePolicies(accountId: string, roleId: string): Promise<EffectivePolicy[] | undefined> {
    return toEffectivePolicies(this.q.effectiveRolePolicies.all(accountId, roleId) as EffectiveRow[]);
  }

  /** A statement built for one call's shape (a listing's bounds), prepared once per distinct text. */
  private shapedStatement(sql: string): Database.Statement {
    let statement = this.shaped.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.shaped.set(sql, statement);
    }
    return statement;
  }

  async createBucket(bucket: Bucket): Promise<CreateBucketResult> {
    return this.db
      .transaction((): CreateBucketResult => {
        const row = this.q.getBucket.get(bucket.name) as BucketRow | undefined;
        if (row) return row.account_id === bucket.accountId ? "owned" : "taken";
        this.q.insertBucket.run(bucket.name, bucket.accountId, bucket.region, bucket.createdAt.getTime());
        return "created";
      })
      .immediate();
  }

  async getBucket(name: string): Promise<Bucket | undefined> {
    const row = this.q.getBucket.get(name) as BucketRow | undefined;
    return row && toBucket(row);
  }

  async listBuckets(accountId: string, options: { prefix?: string; after?: string; limit: number }): Promise<Page<Bucket>> {
    const bounds = keyBounds({ prefix: options.prefix, after: options.after });
    if (bounds === "empty") return { items: [] };
    const { sql, values } = listBucketsSql("sqlite", accountId, bounds, options.limit);
    const rows = this.shapedStatement(sql).all(...values) as BucketRow[];
    return pageOf(rows, options.limit, toBucket, (b) => b.name);
  }

  async deleteBucket(accountId: string, name: string): Promise<DeleteBucketResult> {
    return this.db
      .transaction((): DeleteBucketResult => {
        const row = this.q.getBucket.get(name) as BucketRow | undefined;
        if (!row || row.account_id !== accountId) return "not-found";
        const contents = this.q.bucketContents.get(name, name) as { objects: number; uploads: number };
        if (contents.objects || contents.uploads) return "not-empty";
        this.q.deleteBucket.run(name);
        return "deleted";
      })
      .immediate();
  }

  /** Puts the object inside the caller's write transaction; the replaced record's blob. */
  private upsertObject(object: S3Object): string | null {
    const old = this.q.objectBlob.get(object.bucket, object.key) as { blob_id: string } | undefined;
    this.q.upsertObject.run(...objectValues(object));
    return old?.blob_id ?? null;
  }

  async putObject(object: S3Object): Promise<PutObjectResult> {
    return this.db
      .transaction((): PutObjectResult => {
        if (!this.q.getBucket.get(object.bucket)) return "no-bucket";
        return { replacedBlobId: this.upsertObject(object) };
      })
      .immediate();
  }

  async getObject(bucket: string, key: string): Promise<S3Object | undefined> {
    const row = this.q.getObject.get(bucket, key) as ObjectRow | undefined;
    return row && toObject(row);
  }

  async deleteObject(bucket: string, key: string): Promise<S3Object | undefined> {
    const row = this.q.deleteObject.get(bucket, key) as ObjectRow | undefined;
    return row && toObject(row);
  }

  /** The statement and values of one listObjects call; undefined when the range is empty. */
  private listObjectsStatement(bucket: string, options: KeyRange & { limit: number }) {
    const bounds = keyBounds(options);
    if (bounds === "empty") return undefined;
    const { sql, values } = listObjectsSql("sqlite", bucket, bounds, options.limit);
    return { sql, values };
  }

  async listObjects(bucket: string, options: KeyRange & { limit: number }): Promise<Page<S3Object>> {
    const query = this.listObjectsStatement(bucket, options);
    if (!query) return { items: [] };
    const rows = this.shapedStatement(query.sql).all(...query.values) as ObjectRow[];
    return pageOf(rows, options.limit, toObject, (o) => o.key);
  }

  /**
   * Not part of Store: SQLite's plan for the statement listObjects runs with these options
   * (EXPLAIN QUERY PLAN's details), for the test that shows a listing is an index range.
   */
  explainListObjects(bucket: string, options: KeyRange & { limit: number }): string[] {
    const query = this.listObjectsStatement(bucket, options);
    if (!query) return [];
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.values) as { detail: string }[];
    return rows.map((r) => r.detail);
  }

  async createUpload(upload: MultipartUpload): Promise<CreateUploadResult> {
    return this.db
      .transaction((): CreateUploadResult => {
        if (!this.q.getBucket.get(upload.bucket)) return "no-bucket";
        this.q.insertUpload.run(upload.uploadId, upload.bucket, upload.key, upload.initiatedAt.getTime(), uploadAttrsJson(upload));
        return "created";
      })
      .immediate();
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | undefined> {
    const row = this.q.getUpload.get(uploadId, bucket, key) as UploadRow | undefined;
    return row && toUpload(row);
  }

  async putPart(bucket: string, key: string, uploadId: string, part: UploadPart): Promise<PutPartResult> {
    return this.db
      .transaction((): PutPartResult => {
        if (!this.q.getUpload.get(uploadId, bucket, key)) return "no-upload";
        const old = this.q.partBlob.get(uploadId, part.partNumber) as { blob_id: string } | undefined;
        this.q.upsertPart.run(uploadId, ...partValues(part));
        return { replacedBlobId: old?.blob_id ?? null };
      })
      .immediate();
  }

  async listParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { after?: number; limit: number },
  ): Promise<Page<UploadPart> | undefined> {
    // One read transaction: the upload and its parts as of one moment.
    return this.db.transaction((): Page<UploadPart> | undefined => {
      if (!this.q.getUpload.get(uploadId, bucket, key)) return undefined;
      const rows = this.q.listParts.all(uploadId, options.after ?? 0, options.limit + 1) as PartRow[];
      return pageOf(rows, options.limit, toPart, (p) => String(p.partNumber));
    })();
  }

  async listUploads(
    bucket: string,
    options: Omit<KeyRange, "after"> & { keyMarker?: string; uploadIdMarker?: string; limit: number },
  ): Promise<Page<MultipartUpload>> {
    return this.db.transaction((): Page<MultipartUpload> => {
      let marker: LowerBound | undefined;
      if (options.keyMarker !== undefined) {
        marker = { key: options.keyMarker, kind: "gt" };
        if (options.uploadIdMarker !== undefined) {
          const at = this.q.getUpload.get(options.uploadIdMarker, bucket, options.keyMarker) as UploadRow | undefined;
          if (at) marker = { key: at.key, kind: "row", row: [at.initiated_at, at.upload_id] };
        }
      }
      const bounds = keyBounds({ prefix: options.prefix, beyondPrefix: options.beyondPrefix }, marker);
      if (bounds === "empty") return { items: [] };
      const { sql, values } = listUploadsSql("sqlite", bucket, bounds, options.limit);
      const rows = this.shapedStatement(sql).all(...values) as UploadRow[];
      return pageOf(rows, options.limit, toUpload, (u) => u.key);
    })();
  }

  async completeUpload(
    uploadId: string,
    object: S3Object,
    parts: readonly Pick<UploadPart, "partNumber" | "blobId">[],
  ): Promise<CompleteUploadResult> {
    return this.db
      .transaction((): CompleteUploadResult => {
        if (!this.q.getUpload.get(uploadId, object.bucket, object.key)) return "not-found";
        const stored = this.q.partBlobs.all(uploadId) as { part_number: number; blob_id: string }[];
        if (!partsUnchanged(stored, parts)) return "parts-changed";
        this.q.deleteParts.run(uploadId);
        this.q.deleteUpload.run(uploadId);
        // The bucket cannot be gone: an upload in progress keeps deleteBucket from removing it.
        const replacedBlobId = this.upsertObject(object);
        return { partBlobIds: stored.map((p) => p.blob_id), replacedBlobId };
      })
      .immediate();
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<AbortUploadResult> {
    return this.db
      .transaction((): AbortUploadResult => {
        if (!this.q.getUpload.get(uploadId, bucket, key)) return "not-found";
        const stored = this.q.partBlobs.all(uploadId) as { blob_id: string }[];
        this.q.deleteParts.run(uploadId);
        this.q.deleteUpload.run(uploadId);
        return { partBlobIds: stored.map((p) => p.blob_id) };
      })
      .immediate();
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
