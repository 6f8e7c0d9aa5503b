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
export type DeleteUserResult =
  | "deleted"
  | "not-found"
  | "has-access-keys"
  | "has-mfa-devices"
  | "has-inline-policies"
  | "has-attached-policies"
  | "in-groups";
export type CreateAccessKeyResult = "created" | "no-user" | "quota";
export type CreateMfaDeviceResult = "created" | "exists";
/** "stale": the codes' step is not later than the device's last accepted step (a replay). */
export type EnableMfaDeviceResult = "enabled" | "no-user" | "no-device" | "in-use" | "limit" | "stale";
export type DeleteMfaDeviceResult = "deleted" | "not-found" | "assigned";

/**
 * Attempt limits (issue 16): how many failures (wrong MFA codes, bad signatures of a long-term
 * key) lock their subject, and for how long. Beyond AWS: this server's own brute-force guard.
 */
export interface AttemptLimits {
  /** Failures within `windowMs` that lock the subject (the last of them locks it). */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How long a lock lasts, from the failure that began it. */
  readonly lockoutMs: number;
}

/** What the store holds about one subject's failed attempts. */
export interface AttemptRecord {
  /** Failures counted toward the next lock (as last written: some may be older than the window by now). */
  readonly failures: number;
  /** ms since the epoch; null when no lock was ever set or since it ended and a failure was counted. A past time: the lock is over. */
  readonly lockedUntil: number | null;
}

export type FailedAttemptResult =
  /** Counted; `failures` within the window, this one included. */
  | { readonly outcome: "counted"; readonly failures: number }
  /** Counted, and it locked the subject: the failures that did it, and the end of the lock. */
  | { readonly outcome: "locked"; readonly failures: number; readonly lockedUntil: number }
  /** The subject was locked already: not counted, the lock unchanged. */
  | { readonly outcome: "already-locked"; readonly lockedUntil: number };

export type BeginAttemptResult =
  /** A place in the count: check the code, then settle. */
  | { readonly outcome: "begun" }
  /** The count is full of failures and checks in progress: refused, not counted, nothing locked. */
  | { readonly outcome: "busy" }
  | { readonly outcome: "already-locked"; readonly lockedUntil: number };

/** What a checked code turned out to be: a guess that failed, the right code, or a replay (no guess). */
export type AttemptVerdict = "wrong" | "right" | "no-guess";

/** An IAM group. Names are unique per account, case-insensitively, whatever the path. */
export interface Group {
  accountId: string;
  /** AGPA… */
  groupId: string;
  groupName: string;
  path: string;
  createdAt: Date;
}

/** What an inline policy or an attachment belongs to: a user, a group or a role, by name (case-insensitive). */
export interface PolicyOwner {
  kind: "user" | "group" | "role";
  name: string;
}

/**
 * An IAM role (issue 14). Names are unique per account, case-insensitively, whatever the path, as
 * for users. Permissions boundaries are not supported (the IAM layer refuses them), so a role has none.
 */
export interface Role {
  accountId: string;
  roleName: string;
  /** AROA… */
  roleId: string;
  path: string;
  /** arn:aws:iam::ACCOUNT:role{path}{name} */
  arn: string;
  /** ms since the epoch */
  createdAt: number;
  /** The trust policy exactly as it was sent (white space and key order kept). */
  assumeRolePolicyDocument: string;
  description: string | undefined;
  /** Seconds, 3600..43200; 3600 unless set. */
  maxSessionDuration: number;
  /** In the order given; keys unique case-insensitively (IAM treats role tag keys so). */
  tags: Tag[];
}

/** What UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy change; undefined: left as it is. */
export interface RoleChanges {
  description?: string;
  maxSessionDuration?: number;
  assumeRolePolicyDocument?: string;
}

/**
 * A customer managed policy of an account. AWS managed policies (arn:aws:iam::aws:policy/…) are
 * not stored: their documents live in code; only their attachments are stored.
 */
export interface ManagedPolicy {
  accountId: string;
  /** ANPA… */
  policyId: string;
  policyName: string;
  path: string;
  /** arn:aws:iam::ACCOUNT:policy{path}{name} */
  arn: string;
  description: string | null;
  /** "v1", "v2", … */
  defaultVersionId: string;
  tags: Tag[];
  createdAt: Date;
  updatedAt: Date;
  /** Users, groups and roles it is attached to (read with the policy). */
  attachmentCount: number;
}

export interface PolicyVersion {
  /** "v1", "v2", …: increasing, never reused within a policy. */
  versionId: string;
  /** The JSON document exactly as it was sent. */
  document: string;
  isDefault: boolean;
  createdAt: Date;
}

/**
 * A policy that reaches a user or a role, for evaluation: the user's own inline and attached
 * policies and those of each group the user is in; a role's inline and attached policies. `document` is the inline document or a customer managed
 * policy's default version; for an AWS managed policy (arn in the `aws` account) it is null and
 * the document comes from the catalogue in code.
 */
export interface EffectivePolicy {
  via: PolicyOwner;
  kind: "inline" | "managed";
  /** The inline policy's name, or the managed policy's name. */
  name: string;
  /** Managed policies only. */
  arn: string | null;
  /** Managed policies only: the default version's id ("v3"); null for AWS managed. */
  versionId: string | null;
  document: string | null;
}

export type CreateGroupResult = "created" | "exists";
export type DeleteGroupResult = "deleted" | "not-found" | "has-members" | "has-inline-policies" | "has-attached-policies";
export type AddUserToGroupResult = "added" | "no-group" | "no-user" | "limit";
export type RemoveUserFromGroupResult = "removed" | "no-group" | "no-user";
export type PutInlinePolicyResult = "put" | "no-owner" | "too-large";
export type DeleteInlinePolicyResult = "deleted" | "no-owner" | "not-found";
export type CreatePolicyResult = "created" | "exists";
export type DeletePolicyResult = "deleted" | "not-found" | "attached" | "has-versions";
export type CreatePolicyVersionResult = { versionId: string } | "not-found" | "limit";
export type DeletePolicyVersionResult = "deleted" | "not-found" | "default";
export type SetDefaultPolicyVersionResult = "set" | "not-found";
export type AttachPolicyResult = "attached" | "no-owner" | "no-policy" | "limit";
export type DetachPolicyResult = "detached" | "no-owner" | "not-attached";
export type CreateRoleResult = "created" | "exists";
/** There are no instance profiles here, so attached and inline policies are all that hold a role back. */
export type DeleteRoleResult = "deleted" | "not-found" | "has-attached-policies" | "has-inline-policies";
/** "limit": the role would then have more than `limit` tags. */
export type TagRoleResult = "tagged" | "not-found" | "limit";

// --- S3 (issue 13): buckets, object metadata, multipart uploads ---
// Object bodies are not stored here: they live in a blob store beside the database, and records
// name them by an opaque `blobId`. Writes that replace or drop a record return the blob ids it
// referenced, so the caller can delete those blobs once the write has committed.
//
// Keys and bucket names are ordered bytewise (UTF-8), which is code point order — not the UTF-16
// order of JavaScript's `<` (compareKeys in rows.ts is the same order in code).

/** A bucket. Its name is unique across every account (S3's one namespace). */
export interface Bucket {
  name: string;
  accountId: string;
  region: string;
  createdAt: Date;
}

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

/** A part's checksum: the algorithm and its value as S3 prints it (base64). */
export interface PartChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

/** An object's checksum; a COMPOSITE one (of a multipart object) has a value like `…-3`. */
export interface ObjectChecksum extends PartChecksum {
  type: "FULL_OBJECT" | "COMPOSITE";
}

/** One `x-amz-meta-NAME: value` entry: the name without the prefix, as the caller normalised it. */
export interface MetadataEntry {
  name: string;
  value: string;
}

/** The standard headers S3 keeps with an object and returns with it, as they were sent. */
export interface ObjectHeaders {
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
}

/** What an object carries besides its body, set by PutObject, CopyObject or CreateMultipartUpload. */
export interface ObjectAttributes {
  /** As stored; the caller supplies S3's default (`binary/octet-stream`) when none was sent. */
  contentType: string;
  /** x-amz-meta-* entries, in the order given (kept as given, duplicates included). */
  metadata: MetadataEntry[];
  headers: ObjectHeaders;
}

/** An object's record: everything but its body, which is the blob `blobId`. */
export interface S3Object extends ObjectAttributes {
  bucket: string;
  /** UTF-8, up to 1024 bytes (checked by the caller); never contains U+0000. */
  key: string;
  size: number;
  /** Quoted: `"<md5 hex>"`, or `"<md5 of md5s>-N"` for a multipart object. */
  etag: string;
  checksum: ObjectChecksum | null;
  lastModified: Date;
  blobId: string;
}

/** A multipart upload in progress (CreateMultipartUpload), with the attributes its object will have. */
export interface MultipartUpload extends ObjectAttributes {
  uploadId: string;
  bucket: string;
  key: string;
  initiatedAt: Date;
  /** Who started it (the caller's ARN), for the Initiator of ListParts and ListMultipartUploads. */
  initiator: string;
  /** x-amz-checksum-algorithm / x-amz-checksum-type asked for at creation; null: none. */
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ObjectChecksum["type"] | null;
}

/** An uploaded part (UploadPart): its body is the blob `blobId`. */
export interface UploadPart {
  /** 1..10000 */
  partNumber: number;
  size: number;
  /** Quoted MD5 of the part. */
  etag: string;
  blobId: string;
  checksum: PartChecksum | null;
  lastModified: Date;
}

/** "owned": the caller's account has it already (BucketAlreadyOwnedByYou); "taken": another account has (BucketAlreadyExists). */
export type CreateBucketResult = "created" | "owned" | "taken";
/** "not-empty": it holds objects or multipart uploads in progress. */
export type DeleteBucketResult = "deleted" | "not-found" | "not-empty";
/** The blob of the record replaced (null: none was); "no-bucket": the bucket is gone. */
export type PutObjectResult = { replacedBlobId: string | null } | "no-bucket";
export type CreateUploadResult = "created" | "no-bucket";
/** The blob of the part replaced (same part number; null: none was); "no-upload": no such upload (completed, aborted, never made). */
export type PutPartResult = { replacedBlobId: string | null } | "no-upload";
/**
 * Every part's blob (by part number: the caller deletes those the object does not use) and the
 * blob of the object replaced. "not-found": no such upload for that bucket and key (already
 * completed or aborted); "parts-changed": a part named was re-uploaded or is gone since the caller read it.
 */
export type CompleteUploadResult = { partBlobIds: string[]; replacedBlobId: string | null } | "not-found" | "parts-changed";
/** Every part's blob, by part number, for the caller to delete. */
export type AbortUploadResult = { partBlobIds: string[] } | "not-found";

/** Which keys a listing covers (objects or uploads); the bounds combine (all must hold). */
export interface KeyRange {
  /** Only keys that start with this. */
  prefix?: string;
  /** Only keys after this one, exclusively; any string, not necessarily a key. */
  after?: string;
  /**
   * Only keys after every key that starts with this: skips a whole CommonPrefixes group (say
   * `photos/`) in one step, whatever characters its keys go on with.
   */
  beyondPrefix?: string;
}

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

  // --- attempt limits (issue 16): one record per subject, `mfa:SERIAL` or `key:ACCESS_KEY_ID` ---
  /** The subject's record; undefined when it has none (no failure since the last reset). */
  getAttempts(subject: string): Promise<AttemptRecord | undefined>;
  /**
   * Counts a failure at `now`, atomically (racing callers, on any number of processes, are each
   * counted once, and exactly one of them begins a lock): failures older than `limits.windowMs`
   * are forgotten; the `limits.maxFailures`-th within it locks the subject until now +
   * `limits.lockoutMs` and starts the count again. While a lock lasts nothing is counted and the
   * lock is not extended.
   */
  recordFailedAttempt(subject: string, now: number, limits: AttemptLimits): Promise<FailedAttemptResult>;
  /** Forgets the subject's failures (a success), unless it is locked at `now`: a lock is never lifted early. */
  clearFailedAttempts(subject: string, now: number): Promise<void>;
  /**
   * Before an MFA code is checked: takes a place in the count (failures and checks in progress
   * together, within the window) while there is one; atomically, like recordFailedAttempt
   * (store/attempts.ts nextAfterBegin).
   */
  beginAttempt(subject: string, now: number, limits: AttemptLimits): Promise<BeginAttemptResult>;
  /** After the check begun at `at`: gives the place up as a failure, a success or no guess (nextAfterSettle). */
  settleAttempt(subject: string, at: number, verdict: AttemptVerdict, now: number, limits: AttemptLimits): Promise<FailedAttemptResult | undefined>;

  // --- groups (issue 12) ---
  createGroup(group: Group): Promise<CreateGroupResult>;
  /** Case-insensitive name. */
  getGroup(accountId: string, groupName: string): Promise<Group | undefined>;
  /** Groups ordered by name (case-insensitive), starting after `after`. */
  listGroups(accountId: string, options: { pathPrefix: string; after?: string; limit: number }): Promise<Page<Group>>;
  /** Refused while the group has members, inline policies or attached policies (checked in that order). */
  deleteGroup(accountId: string, groupName: string): Promise<DeleteGroupResult>;
  /** Idempotent; "limit" when the user is already in `limit` other groups. */
  addUserToGroup(accountId: string, groupName: string, userName: string, limit: number): Promise<AddUserToGroupResult>;
  /** "removed" also when the user was not a member (AWS answers 200); "no-user" before "no-group". */
  removeUserFromGroup(accountId: string, groupName: string, userName: string): Promise<RemoveUserFromGroupResult>;
  /** Members ordered by name (case-insensitive); undefined when the group does not exist. */
  listGroupMembers(accountId: string, groupName: string, options: { after?: string; limit: number }): Promise<Page<User> | undefined>;
  /** The user's groups ordered by name (case-insensitive); undefined when the user does not exist. */
  listGroupsForUser(accountId: string, userName: string, options: { after?: string; limit: number }): Promise<Page<Group> | undefined>;

  // --- inline policies of users and groups ---
  /**
   * Creates or replaces the owner's inline policy `policyName` (exact name; names are
   * case-sensitive). `size` is the document's size as IAM counts it (no white space); refused
   * with "too-large" when the owner's inline policies would then total more than `sizeLimit`.
   */
  putInlinePolicy(
    accountId: string,
    owner: PolicyOwner,
    policyName: string,
    document: string,
    size: number,
    sizeLimit: number,
  ): Promise<PutInlinePolicyResult>;
  /** The document as sent; "no-owner" / "not-found" otherwise. */
  getInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<string | "no-owner" | "not-found">;
  /** Names in ascending order (by byte); undefined when the owner does not exist. */
  listInlinePolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined>;
  deleteInlinePolicy(accountId: string, owner: PolicyOwner, policyName: string): Promise<DeleteInlinePolicyResult>;

  // --- customer managed policies and their versions ---
  /** Creates the policy with `document` as its default version v1; names unique per account (case-insensitive). */
  createPolicy(policy: ManagedPolicy, document: string): Promise<CreatePolicyResult>;
  getPolicy(accountId: string, arn: string): Promise<ManagedPolicy | undefined>;
  /** Every customer managed policy of the account (at most a few thousand), in no particular order. */
  listPolicies(accountId: string): Promise<ManagedPolicy[]>;
  /** Refused while attached, or while versions other than the default exist. */
  deletePolicy(accountId: string, arn: string): Promise<DeletePolicyResult>;
  /**
   * Adds the next version (one more than the highest ever made); refused with "limit" when the
   * policy has `limit` versions already. With `setAsDefault` it becomes the default at once.
   */
  createPolicyVersion(
    accountId: string,
    arn: string,
    document: string,
    setAsDefault: boolean,
    createdAt: Date,
    limit: number,
  ): Promise<CreatePolicyVersionResult>;
  getPolicyVersion(accountId: string, arn: string, versionId: string): Promise<PolicyVersion | undefined>;
  /** Newest first; undefined when the policy does not exist. */
  listPolicyVersions(accountId: string, arn: string): Promise<PolicyVersion[] | undefined>;
  deletePolicyVersion(accountId: string, arn: string, versionId: string): Promise<DeletePolicyVersionResult>;
  setDefaultPolicyVersion(accountId: string, arn: string, versionId: string, updatedAt: Date): Promise<SetDefaultPolicyVersionResult>;

  // --- attachments of managed policies (customer or AWS managed, by ARN) to users and groups ---
  /**
   * Idempotent. When `arn` is a customer managed policy of the account (`customer` true) it must
   * exist ("no-policy" otherwise, decided atomically with DeletePolicy); an AWS managed ARN is
   * checked by the caller. "limit": the owner already has `limit` attached policies.
   */
  attachPolicy(accountId: string, owner: PolicyOwner, arn: string, customer: boolean, limit: number): Promise<AttachPolicyResult>;
  detachPolicy(accountId: string, owner: PolicyOwner, arn: string): Promise<DetachPolicyResult>;
  /** ARNs in ascending order; undefined when the owner does not exist. */
  listAttachedPolicies(accountId: string, owner: PolicyOwner): Promise<string[] | undefined>;
  /** Who a policy (by ARN) is attached to in the account, each list ordered by name. */
  listEntitiesForPolicy(accountId: string, arn: string): Promise<{ users: User[]; groups: Group[]; roles: Role[] }>;
  /** How many users, groups and roles of the account a policy (by ARN) is attached to. */
  countAttachments(accountId: string, arn: string): Promise<number>;

  /**
   * Every policy that applies to the user (by unique id): the user's inline and attached
   * policies, then each group's (groups by name), in one consistent read. Undefined when the
   * user does not exist.
   */
  effectivePolicies(accountId: string, userId: string): Promise<EffectivePolicy[] | undefined>;

  // --- roles (issue 14); their inline policies and attachments are the owner kind "role" above ---
  createRole(role: Role): Promise<CreateRoleResult>;
  /** Role names are case-insensitive in IAM: "Admin" finds "admin". */
  getRole(accountId: string, roleName: string): Promise<Role | undefined>;
  /** Roles ordered by name (case-insensitive), starting after `after` (a previous page's `next`). */
  listRoles(accountId: string, options: { pathPrefix: string; after?: string; limit: number }): Promise<Page<Role>>;
  /** The role as changed; undefined when there is no such role. */
  updateRole(accountId: string, roleName: string, changes: RoleChanges): Promise<Role | undefined>;
  /** Refused while the role has attached policies, then inline policies (checked in that order), atomically. */
  deleteRole(accountId: string, roleName: string): Promise<DeleteRoleResult>;
  /**
   * Adds the tags, a tag whose key the role has already (case-insensitively) replacing that one
   * in place, atomically; "limit" when the role would then have more than `limit` tags.
   */
  tagRole(accountId: string, roleName: string, tags: readonly Tag[], limit: number): Promise<TagRoleResult>;
  /** Removes the tags with these keys (case-insensitively); keys the role has not are ignored. False: no such role. */
  untagRole(accountId: string, roleName: string, keys: readonly string[]): Promise<boolean>;
  /**
   * Every policy that applies to the role (by unique id): its inline policies by name, then its
   * attached policies by ARN, in one consistent read. Undefined when no role has that id.
   */
  effectiveRolePolicies(accountId: string, roleId: string): Promise<EffectivePolicy[] | undefined>;

  // --- S3 (issue 13) ---
  /** Buckets are one namespace for all accounts: "owned" / "taken" when the name is in use. */
  createBucket(bucket: Bucket): Promise<CreateBucketResult>;
  /** Whoever's it is. */
  getBucket(name: string): Promise<Bucket | undefined>;
  /** The account's buckets ordered by name (bytewise), starting after `after` (exclusive; any string). */
  listBuckets(accountId: string, options: { prefix?: string; after?: string; limit: number }): Promise<Page<Bucket>>;
  /**
   * Deletes the account's bucket unless it holds objects or multipart uploads, atomically: a
   * putObject or createUpload racing it either lands first (and the bucket is "not-empty") or
   * finds the bucket gone ("no-bucket"). "not-found" also for another account's bucket.
   */
  deleteBucket(accountId: string, name: string): Promise<DeleteBucketResult>;

  /**
   * Creates or replaces the object `bucket`/`key`, atomically: of several writers of one key the
   * last one's record remains, and each replaced record's blob is reported to exactly one of them.
   */
  putObject(object: S3Object): Promise<PutObjectResult>;
  getObject(bucket: string, key: string): Promise<S3Object | undefined>;
  /** The record deleted (its blob is the caller's to delete); undefined when there was none. */
  deleteObject(bucket: string, key: string): Promise<S3Object | undefined>;
  /**
   * The bucket's objects in `range`, ordered by key (bytewise), served from the (bucket, key)
   * index however large the bucket. `next` is the last key when more follow. An empty page for
   * a bucket that does not exist.
   */
  listObjects(bucket: string, options: KeyRange & { limit: number }): Promise<Page<S3Object>>;

  /** "no-bucket" when the bucket is gone (decided atomically with deleteBucket). */
  createUpload(upload: MultipartUpload): Promise<CreateUploadResult>;
  /** The upload, if it exists for that bucket and key. */
  getUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | undefined>;
  /** Adds or replaces the part with its number, atomically against completeUpload and abortUpload. */
  putPart(bucket: string, key: string, uploadId: string, part: UploadPart): Promise<PutPartResult>;
  /** Parts by number after `after` (exclusive); `next` is the last part's number. Undefined when no such upload. */
  listParts(
    bucket: string,
    key: string,
    uploadId: string,
    options: { after?: number; limit: number },
  ): Promise<Page<UploadPart> | undefined>;
  /**
   * The bucket's uploads in progress, ordered by key (bytewise), then initiation time, then id.
   * `keyMarker` alone: keys after it; with `uploadIdMarker`: that key's uploads after that one,
   * then later keys (when that upload is gone, later keys only); `uploadIdMarker` without
   * `keyMarker` is ignored, as S3 ignores it. `next` is the last upload's key when more follow
   * (the last item gives its id).
   */
  listUploads(
    bucket: string,
    options: Omit<KeyRange, "after"> & { keyMarker?: string; uploadIdMarker?: string; limit: number },
  ): Promise<Page<MultipartUpload>>;
  /**
   * Completes the upload `uploadId` of `object.bucket`/`object.key` atomically: removes the upload
   * and its parts and puts `object` (replacing any object of that key). `parts` are the parts the
   * object is made of as the caller read them (partNumber, blobId): should any have been
   * re-uploaded or be gone since, nothing changes ("parts-changed"). Of a complete and an abort
   * (or two completes) racing, exactly one succeeds; the others get "not-found".
   */
  completeUpload(
    uploadId: string,
    object: S3Object,
    parts: readonly Pick<UploadPart, "partNumber" | "blobId">[],
  ): Promise<CompleteUploadResult>;
  /** Removes the upload and its parts atomically; "not-found" for one already completed or aborted. */
  abortUpload(bucket: string, key: string, uploadId: string): Promise<AbortUploadResult>;

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
