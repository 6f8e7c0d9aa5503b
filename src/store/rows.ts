/**
 * The tables' rows as both backends read them (same columns, times as ms since the epoch), the
 * records made from them, the SELECTs and the paging they share: one mapping for SQLite and
 * PostgreSQL.
 */
import type {
  AccessKey,
  AccessKeyStatus,
  Bucket,
  ChecksumAlgorithm,
  EffectivePolicy,
  KeyRange,
  MetadataEntry,
  MultipartUpload,
  ObjectAttributes,
  ObjectChecksum,
  ObjectHeaders,
  S3Object,
  UploadPart,
  Group,
  ManagedPolicy,
  MfaDevice,
  MfaDeviceKind,
  Page,
  PolicyOwner,
  PolicyVersion,
  Role,
  Tag,
  User,
} from "./store.js";

export interface UserRow {
  user_id: string;
  account_id: string;
  user_name: string;
  path: string;
  created_at: number;
}

export interface KeyRow {
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

export interface DeviceRow {
  serial_number: string;
  account_id: string;
  kind: MfaDeviceKind;
  name: string;
  path: string;
  sealed_seed: string;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  tags: string | Tag[];
  created_at: number;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  assigned: number | boolean;
  enabled_at: number | null;
  last_step: number | null;
  drift_steps: number;
  // the assigned user, when there is one
  u_user_id: string | null;
  u_user_name: string | null;
  u_path: string | null;
  u_created_at: number | null;
}

/** Access keys with their owner's name (NULL: the root user). */
export const KEY_SELECT = `
  SELECT k.access_key_id, k.account_id, u.user_name, k.sealed_secret, k.status, k.created_at,
         k.last_used_at, k.last_used_region, k.last_used_service
  FROM access_keys k LEFT JOIN users u ON u.user_id = k.user_id`;

/** Devices with the columns of the user they are enabled for. */
export const DEVICE_SELECT = `
  SELECT d.serial_number, d.account_id, d.kind, d.name, d.path, d.sealed_seed, d.tags, d.created_at,
         d.assigned, d.enabled_at, d.last_step, d.drift_steps,
         u.user_id AS u_user_id, u.user_name AS u_user_name, u.path AS u_path, u.created_at AS u_created_at
  FROM mfa_devices d LEFT JOIN users u ON u.user_id = d.user_id`;

export interface GroupRow {
  group_id: string;
  account_id: string;
  group_name: string;
  path: string;
  created_at: number;
}

export interface PolicyRow {
  policy_id: string;
  account_id: string;
  policy_name: string;
  path: string;
  arn: string;
  description: string | null;
  default_version: number;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  tags: string | Tag[];
  created_at: number;
  updated_at: number;
  attachment_count: number;
}

export interface VersionRow {
  version: number;
  document: string;
  is_default: number | boolean;
  created_at: number;
}

export interface RoleRow {
  role_id: string;
  account_id: string;
  role_name: string;
  path: string;
  created_at: number;
  trust_policy: string;
  description: string | null;
  max_session_duration: number;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  tags: string | Tag[];
}

/** A row of EFFECTIVE_POLICIES: kind NULL is the user's (or role's) own row (it exists), not a policy. */
export interface EffectiveRow {
  via_kind: PolicyOwner["kind"];
  via_name: string;
  kind: "inline" | "managed" | null;
  /** The inline policy's name; a customer managed policy's name (NULL for one that is not stored). */
  name: string | null;
  arn: string | null;
  /** The default version's number, for a customer managed policy. */
  version: number | null;
  document: string | null;
}

/**
 * Where a policy owner's rows are: its table, id and name columns, and the tables of its inline
 * policies and attached managed policies (all keyed by the owner's id, so they survive renames).
 */
export const OWNER_TABLES = {
  user: {
    table: "users",
    id: "user_id",
    name: "user_name",
    inline: "user_policies",
    attached: "user_attached_policies",
  },
  group: {
    table: "groups",
    id: "group_id",
    name: "group_name",
    inline: "group_policies",
    attached: "group_attached_policies",
  },
  role: {
    table: "roles",
    id: "role_id",
    name: "role_name",
    inline: "role_policies",
    attached: "role_attached_policies",
  },
} as const satisfies Record<PolicyOwner["kind"], Record<string, string>>;

/** Customer managed policies, with how many users, groups and roles of the account they are attached to. */
export const POLICY_SELECT = `
  SELECT p.policy_id, p.account_id, p.policy_name, p.path, p.arn, p.description, p.default_version, p.tags,
         p.created_at, p.updated_at,
         (SELECT count(*) FROM user_attached_policies a WHERE a.account_id = p.account_id AND a.policy_arn = p.arn)
         + (SELECT count(*) FROM group_attached_policies a WHERE a.account_id = p.account_id AND a.policy_arn = p.arn)
         + (SELECT count(*) FROM role_attached_policies a WHERE a.account_id = p.account_id AND a.policy_arn = p.arn)
           AS attachment_count
  FROM policies p`;

/** How many users, groups and roles of account `$account` have the policy `$arn` attached (placeholders given). */
export const countAttachmentsSql = (account: string, arn: string) => `
  SELECT (SELECT count(*) FROM user_attached_policies WHERE account_id = ${account} AND policy_arn = ${arn})
       + (SELECT count(*) FROM group_attached_policies WHERE account_id = ${account} AND policy_arn = ${arn})
       + (SELECT count(*) FROM role_attached_policies WHERE account_id = ${account} AND policy_arn = ${arn}) AS n`;

/** A policy's versions with whether each is the default. */
export const VERSION_SELECT = `
  SELECT v.version, v.document, v.version = p.default_version AS is_default, v.created_at
  FROM policies p JOIN policy_versions v ON v.policy_id = p.policy_id`;

/**
 * Every policy that reaches one user, in one statement (one snapshot): the user's own row
 * (kind NULL: says the user exists), the user's inline policies by name, attached policies by
 * ARN, then for each of the user's groups by lower-cased name its inline and attached policies.
 * A customer managed policy comes with its default version; an ARN that is not a stored policy
 * (AWS managed) with NULLs. `account` and `user` are the two parameters' placeholders. The CTEs
 * are inlined (NOT MATERIALIZED) so that each branch looks the user up by its primary key.
 */
export const effectivePoliciesSql = (account: string, user: string) => `
  WITH me AS NOT MATERIALIZED (
    SELECT user_id, account_id, user_name FROM users WHERE account_id = ${account} AND user_id = ${user}
  ),
  mine AS NOT MATERIALIZED (
    SELECT g.group_id, g.group_name, me.account_id
    FROM me JOIN group_members m ON m.user_id = me.user_id JOIN groups g ON g.group_id = m.group_id
  )
  SELECT via_kind, via_name, kind, name, arn, version, document FROM (
    SELECT 0 AS o_rank, '' AS o_key, '' AS o_id, 0 AS part, '' AS sort,
           'user' AS via_kind, me.user_name AS via_name, NULL AS kind, NULL AS name, NULL AS arn,
           CAST(NULL AS INTEGER) AS version, NULL AS document
    FROM me
    UNION ALL
    SELECT 0, '', '', 1, p.policy_name, 'user', me.user_name, 'inline', p.policy_name, NULL, CAST(NULL AS INTEGER), p.document
    FROM me JOIN user_policies p ON p.user_id = me.user_id
    UNION ALL
    SELECT 0, '', '', 2, a.policy_arn, 'user', me.user_name, 'managed', pol.policy_name, a.policy_arn, pol.default_version,
           v.document
    FROM me JOIN user_attached_policies a ON a.user_id = me.user_id
    LEFT JOIN policies pol ON pol.account_id = me.account_id AND pol.arn = a.policy_arn
    LEFT JOIN policy_versions v ON v.policy_id = pol.policy_id AND v.version = pol.default_version
    UNION ALL
    SELECT 1, lower(g.group_name), g.group_id, 1, p.policy_name, 'group', g.group_name, 'inline', p.policy_name, NULL,
           CAST(NULL AS INTEGER), p.document
    FROM mine g JOIN group_policies p ON p.group_id = g.group_id
    UNION ALL
    SELECT 1, lower(g.group_name), g.group_id, 2, a.policy_arn, 'group', g.group_name, 'managed', pol.policy_name, a.policy_arn,
           pol.default_version, v.document
    FROM mine g JOIN group_attached_policies a ON a.group_id = g.group_id
    LEFT JOIN policies pol ON pol.account_id = g.account_id AND pol.arn = a.policy_arn
    LEFT JOIN policy_versions v ON v.policy_id = pol.policy_id AND v.version = pol.default_version
  ) e
  ORDER BY o_rank, o_key, o_id, part, sort`;

/**
 * Every policy of one role, in one statement (one snapshot): the role's own row (kind NULL: says
 * the role exists), its inline policies by name, then its attached policies by ARN, in the shape
 * of effectivePoliciesSql. `account` and `role` are the two parameters' placeholders.
 */
export const effectiveRolePoliciesSql = (account: string, role: string) => `
  WITH me AS NOT MATERIALIZED (
    SELECT role_id, account_id, role_name FROM roles WHERE account_id = ${account} AND role_id = ${role}
  )
  SELECT via_kind, via_name, kind, name, arn, version, document FROM (
    SELECT 0 AS part, '' AS sort, 'role' AS via_kind, me.role_name AS via_name, NULL AS kind, NULL AS name, NULL AS arn,
           CAST(NULL AS INTEGER) AS version, NULL AS document
    FROM me
    UNION ALL
    SELECT 1, p.policy_name, 'role', me.role_name, 'inline', p.policy_name, NULL, CAST(NULL AS INTEGER), p.document
    FROM me JOIN role_policies p ON p.role_id = me.role_id
    UNION ALL
    SELECT 2, a.policy_arn, 'role', me.role_name, 'managed', pol.policy_name, a.policy_arn, pol.default_version, v.document
    FROM me JOIN role_attached_policies a ON a.role_id = me.role_id
    LEFT JOIN policies pol ON pol.account_id = me.account_id AND pol.arn = a.policy_arn
    LEFT JOIN policy_versions v ON v.policy_id = pol.policy_id AND v.version = pol.default_version
  ) e
  ORDER BY part, sort`;

const toTags = (tags: string | Tag[]): Tag[] =>
  (typeof tags === "string" ? (JSON.parse(tags) as Tag[]) : tags).map((t) => ({ key: t.key, value: t.value }));

export const toUser = (r: UserRow): User => ({
  accountId: r.account_id,
  userId: r.user_id,
  userName: r.user_name,
  path: r.path,
  createdAt: new Date(r.created_at),
});

export const toKey = (r: KeyRow): AccessKey => ({
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

export const toDevice = (r: DeviceRow): MfaDevice => ({
  serialNumber: r.serial_number,
  accountId: r.account_id,
  kind: r.kind,
  name: r.name,
  path: r.path,
  sealedSeed: r.sealed_seed,
  tags: toTags(r.tags),
  createdAt: new Date(r.created_at),
  assignment:
    r.assigned === true || r.assigned === 1
      ? {
          user:
            r.u_user_id === null
              ? null
              : toUser({
                  user_id: r.u_user_id,
                  account_id: r.account_id,
                  user_name: r.u_user_name!,
                  path: r.u_path!,
                  created_at: r.u_created_at!,
                }),
          enabledAt: new Date(r.enabled_at!),
        }
      : null,
  lastStep: r.last_step,
  driftSteps: r.drift_steps,
});

export const toRole = (r: RoleRow): Role => ({
  accountId: r.account_id,
  roleName: r.role_name,
  roleId: r.role_id,
  path: r.path,
  arn: `arn:aws:iam::${r.account_id}:role${r.path}${r.role_name}`,
  createdAt: Number(r.created_at),
  assumeRolePolicyDocument: r.trust_policy,
  description: r.description ?? undefined,
  maxSessionDuration: Number(r.max_session_duration),
  tags: toTags(r.tags),
});

/** IAM compares role tag keys without case ("Tag keys are case insensitive", assume-role spec §7.3). */
const sameKey = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * A role's tags after TagRole: a tag whose key is there already replaces it in place (its key as
 * now spelt, UNCONFIRMED: AWS says only that the new tag replaces the old); the others follow in
 * the order given.
 */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = existing.map((t) => ({ key: t.key, value: t.value }));
  for (const tag of added) {
    const at = merged.findIndex((t) => sameKey(t.key, tag.key));
    if (at === -1) merged.push({ key: tag.key, value: tag.value });
    else merged[at] = { key: tag.key, value: tag.value };
  }
  return merged;
}

/** A role's tags after UntagRole: those whose keys are not among `keys` (case-insensitively). */
export function withoutTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  return existing.filter((t) => !keys.some((k) => sameKey(k, t.key))).map((t) => ({ key: t.key, value: t.value }));
}

export const toGroup = (r: GroupRow): Group => ({
  accountId: r.account_id,
  groupId: r.group_id,
  groupName: r.group_name,
  path: r.path,
  createdAt: new Date(r.created_at),
});

/** Tags as both backends store them: JSON text of [{key, value}] (jsonb in PostgreSQL). */
export const tagsJson = (tags: readonly Tag[]) => JSON.stringify(tags.map((t) => ({ key: t.key, value: t.value })));

/** Version ids are "v" and the version's number. */
export const versionId = (version: number) => `v${version}`;

/** The number of a version id ("v3" → 3); undefined for anything no version is called. */
export function versionNumber(id: string): number | undefined {
  return /^v[1-9][0-9]{0,8}$/.test(id) ? Number(id.slice(1)) : undefined;
}

export const toPolicy = (r: PolicyRow): ManagedPolicy => ({
  accountId: r.account_id,
  policyId: r.policy_id,
  policyName: r.policy_name,
  path: r.path,
  arn: r.arn,
  description: r.description,
  defaultVersionId: versionId(r.default_version),
  tags: toTags(r.tags),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  attachmentCount: Number(r.attachment_count),
});

export const toVersion = (r: VersionRow): PolicyVersion => ({
  versionId: versionId(r.version),
  document: r.document,
  isDefault: r.is_default === true || r.is_default === 1,
  createdAt: new Date(r.created_at),
});

/** The policies of EFFECTIVE_POLICIES' rows; undefined when there are none (no such user). */
export function toEffectivePolicies(rows: readonly EffectiveRow[]): EffectivePolicy[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.flatMap((r): EffectivePolicy[] => {
    if (r.kind === null) return [];
    return [
      {
        via: { kind: r.via_kind, name: r.via_name },
        kind: r.kind,
        // An AWS managed policy is named by its ARN's last segment.
        name: r.name ?? r.arn!.slice(r.arn!.lastIndexOf("/") + 1),
        arn: r.arn,
        versionId: r.version === null ? null : versionId(r.version),
        document: r.document,
      },
    ];
  });
}

/**
 * A page from `limit + 1` rows read in order: the extra row only says more follow, and the
 * page's `next` is the sort key of its last item.
 */
export function pageOf<R, T>(rows: readonly R[], limit: number, toItem: (row: R) => T, sortKey: (item: T) => string): Page<T> {
  const items = rows.slice(0, limit).map(toItem);
  return rows.length > limit ? { items, next: sortKey(items[items.length - 1]!) } : { items };
}

// --- S3 (issue 13) ---

/**
 * Orders strings as both databases order their keys: bytewise UTF-8 (SQLite's BINARY, PostgreSQL's
 * "C"), which is code point order. JavaScript's `<` compares UTF-16 code units and puts U+10000
 * and above before U+E000–U+FFFF; this does not.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return Math.sign(a.length - b.length);
}

/**
 * The least string greater than every string that starts with `prefix` (in compareKeys' order):
 * the prefix with its last code point incremented, trailing U+10FFFF dropped. Undefined when
 * there is none (an empty prefix, or one of U+10FFFF only). Every key k with prefix ≤ k < end
 * starts with the prefix, so the pair is an index range: no LIKE, no wildcards to escape.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last === 0x10ffff) continue;
    // The next code point that UTF-8 can encode: surrogates are not characters.
    points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
    return String.fromCodePoint(...points);
  }
  return undefined;
}

/**
 * The lower bound of a key range: `key >= k` (inclusive), `key > k`, or, for uploads, after
 * (initiatedAt, uploadId) within key k and then later keys (`row`).
 */
export interface LowerBound {
  key: string;
  kind: "ge" | "row" | "gt";
  row?: [initiatedAt: number, uploadId: string];
}

/** A listing's key range as index bounds: at most one lower bound and one upper (exclusive). */
export interface KeyBounds {
  lower?: LowerBound;
  upper?: string;
}

const STRENGTH = { ge: 0, row: 1, gt: 2 } as const;

/** The stronger of two lower bounds (the one fewer keys pass). */
function stronger(a: LowerBound | undefined, b: LowerBound | undefined): LowerBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareKeys(a.key, b.key);
  if (c !== 0) return c > 0 ? a : b;
  return STRENGTH[a.kind] >= STRENGTH[b.kind] ? a : b;
}

/**
 * A range's bounds, folded into one lower and one upper bound so that a single index range
 * serves it (two lower bounds on one column would leave the planner to pick one and filter
 * on the other: a scan of everything between). "empty" when no key can be in it.
 */
export function keyBounds(range: KeyRange, extra?: LowerBound): KeyBounds | "empty" {
  let lower: LowerBound | undefined = extra;
  let upper: string | undefined;
  if (range.prefix) {
    lower = stronger(lower, { key: range.prefix, kind: "ge" });
    upper = prefixEnd(range.prefix);
  }
  if (range.after !== undefined) lower = stronger(lower, { key: range.after, kind: "gt" });
  if (range.beyondPrefix !== undefined) {
    const end = prefixEnd(range.beyondPrefix);
    if (end === undefined) return "empty";
    lower = stronger(lower, { key: end, kind: "ge" });
  }
  if (lower && upper !== undefined && compareKeys(lower.key, upper) >= 0) return "empty";
  return { lower, upper };
}

/** Builds a statement's text and values for either backend's placeholders (`?` or `$n`). */
export class SqlBuilder {
  readonly values: unknown[] = [];
  constructor(private readonly style: "sqlite" | "postgres") {}
  /** A placeholder for `value`. */
  p(value: unknown): string {
    this.values.push(value);
    return this.style === "sqlite" ? "?" : `$${this.values.length}`;
  }
}

/**
 * The conditions on `column` (and, for a row bound, the columns after it) that make `bounds`
 * one index range.
 */
function boundConditions(b: SqlBuilder, bounds: KeyBounds, column: string, rowColumns?: string): string {
  let sql = "";
  const lower = bounds.lower;
  if (lower?.kind === "ge") sql += ` AND ${column} >= ${b.p(lower.key)}`;
  else if (lower?.kind === "gt") sql += ` AND ${column} > ${b.p(lower.key)}`;
  else if (lower?.kind === "row") {
    if (!rowColumns || !lower.row) throw new Error("a row bound needs its columns and values");
    sql += ` AND (${column}, ${rowColumns}) > (${b.p(lower.key)}, ${b.p(lower.row[0])}, ${b.p(lower.row[1])})`;
  }
  if (bounds.upper !== undefined) sql += ` AND ${column} < ${b.p(bounds.upper)}`;
  return sql;
}

export const OBJECT_COLUMNS = "bucket, key, size, etag, last_modified, blob_id, attrs";
export const UPLOAD_COLUMNS = "upload_id, bucket, key, initiated_at, attrs";
export const PART_COLUMNS = "part_number, size, etag, blob_id, checksum_algorithm, checksum_value, last_modified";

/** One page of a bucket's objects: `limit + 1` rows in key order, from the primary key's range. */
export function listObjectsSql(style: "sqlite" | "postgres", bucket: string, bounds: KeyBounds, limit: number) {
  const b = new SqlBuilder(style);
  const sql = `SELECT ${OBJECT_COLUMNS} FROM s3_objects WHERE bucket = ${b.p(bucket)}${boundConditions(b, bounds, "key")}
    ORDER BY key LIMIT ${b.p(limit + 1)}`;
  return { sql, values: b.values };
}

/** One page of a bucket's uploads: `limit + 1` rows in (key, initiated_at, upload_id) order, from that index. */
export function listUploadsSql(style: "sqlite" | "postgres", bucket: string, bounds: KeyBounds, limit: number) {
  const b = new SqlBuilder(style);
  const sql = `SELECT ${UPLOAD_COLUMNS} FROM s3_uploads WHERE bucket = ${b.p(bucket)}${boundConditions(b, bounds, "key", "initiated_at, upload_id")}
    ORDER BY key, initiated_at, upload_id LIMIT ${b.p(limit + 1)}`;
  return { sql, values: b.values };
}

/** One page of an account's buckets, by name. */
export function listBucketsSql(style: "sqlite" | "postgres", accountId: string, bounds: KeyBounds, limit: number) {
  const b = new SqlBuilder(style);
  const sql = `SELECT name, account_id, region, created_at FROM s3_buckets WHERE account_id = ${b.p(accountId)}${boundConditions(b, bounds, "name")}
    ORDER BY name LIMIT ${b.p(limit + 1)}`;
  return { sql, values: b.values };
}

export interface BucketRow {
  name: string;
  account_id: string;
  region: string;
  created_at: number;
}

/** The `attrs` JSON of an object: what it carries besides its size, ETag, time and blob. */
interface ObjectAttrsJson {
  contentType: string;
  metadata: [string, string][];
  headers: ObjectHeaders;
  checksum: ObjectChecksum | null;
}

/** The `attrs` JSON of an upload: its object's attributes to be, and who started it. */
interface UploadAttrsJson {
  contentType: string;
  metadata: [string, string][];
  headers: ObjectHeaders;
  initiator: string;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ObjectChecksum["type"] | null;
}

export interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  last_modified: number;
  blob_id: string;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  attrs: string | ObjectAttrsJson;
}

export interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated_at: number;
  /** JSON text in SQLite, parsed jsonb in PostgreSQL. */
  attrs: string | UploadAttrsJson;
}

export interface PartRow {
  part_number: number;
  size: number;
  etag: string;
  blob_id: string;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_value: string | null;
  last_modified: number;
}

const HEADER_NAMES = ["contentEncoding", "contentDisposition", "contentLanguage", "cacheControl", "expires"] as const;

/** The headers that are set, and nothing else. */
function cleanHeaders(headers: ObjectHeaders): ObjectHeaders {
  const out: ObjectHeaders = {};
  for (const name of HEADER_NAMES) if (typeof headers[name] === "string") out[name] = headers[name];
  return out;
}

const metadataPairs = (metadata: readonly MetadataEntry[]): [string, string][] => metadata.map((m) => [m.name, m.value]);
const metadataEntries = (pairs: readonly [string, string][]): MetadataEntry[] => pairs.map(([name, value]) => ({ name, value }));

const parsed = <T>(json: string | T): T => (typeof json === "string" ? (JSON.parse(json) as T) : json);

export const toBucket = (r: BucketRow): Bucket => ({
  name: r.name,
  accountId: r.account_id,
  region: r.region,
  createdAt: new Date(r.created_at),
});

export function objectAttrsJson(o: S3Object): string {
  const attrs: ObjectAttrsJson = {
    contentType: o.contentType,
    metadata: metadataPairs(o.metadata),
    headers: cleanHeaders(o.headers),
    checksum: o.checksum && { algorithm: o.checksum.algorithm, value: o.checksum.value, type: o.checksum.type },
  };
  return JSON.stringify(attrs);
}

export function toObject(r: ObjectRow): S3Object {
  const a = parsed(r.attrs);
  return {
    bucket: r.bucket,
    key: r.key,
    size: Number(r.size),
    etag: r.etag,
    contentType: a.contentType,
    metadata: metadataEntries(a.metadata),
    headers: cleanHeaders(a.headers),
    checksum: a.checksum,
    lastModified: new Date(Number(r.last_modified)),
    blobId: r.blob_id,
  };
}

/** An object's row values in OBJECT_COLUMNS' order. */
export const objectValues = (o: S3Object) => [
  o.bucket,
  o.key,
  o.size,
  o.etag,
  o.lastModified.getTime(),
  o.blobId,
  objectAttrsJson(o),
];

export function uploadAttrsJson(u: MultipartUpload): string {
  const attrs: UploadAttrsJson = {
    contentType: u.contentType,
    metadata: metadataPairs(u.metadata),
    headers: cleanHeaders(u.headers),
    initiator: u.initiator,
    checksumAlgorithm: u.checksumAlgorithm,
    checksumType: u.checksumType,
  };
  return JSON.stringify(attrs);
}

export function toUpload(r: UploadRow): MultipartUpload {
  const a = parsed(r.attrs);
  const attributes: ObjectAttributes = {
    contentType: a.contentType,
    metadata: metadataEntries(a.metadata),
    headers: cleanHeaders(a.headers),
  };
  return {
    uploadId: r.upload_id,
    bucket: r.bucket,
    key: r.key,
    initiatedAt: new Date(Number(r.initiated_at)),
    ...attributes,
    initiator: a.initiator,
    checksumAlgorithm: a.checksumAlgorithm,
    checksumType: a.checksumType,
  };
}

export const toPart = (r: PartRow): UploadPart => ({
  partNumber: r.part_number,
  size: Number(r.size),
  etag: r.etag,
  blobId: r.blob_id,
  checksum: r.checksum_algorithm === null ? null : { algorithm: r.checksum_algorithm, value: r.checksum_value! },
  lastModified: new Date(Number(r.last_modified)),
});

/** A part's row values in PART_COLUMNS' order (after the upload id). */
export const partValues = (p: UploadPart) => [
  p.partNumber,
  p.size,
  p.etag,
  p.blobId,
  p.checksum?.algorithm ?? null,
  p.checksum?.value ?? null,
  p.lastModified.getTime(),
];

/**
 * Whether the parts the caller built an object from are still the stored ones (same number,
 * same blob): a part re-uploaded meanwhile has a new blob, and the old one is being deleted.
 */
export function partsUnchanged(
  stored: readonly { part_number: number; blob_id: string }[],
  named: readonly { partNumber: number; blobId: string }[],
): boolean {
  const blobs = new Map(stored.map((p) => [p.part_number, p.blob_id]));
  return named.every((p) => blobs.get(p.partNumber) === p.blobId);
}
