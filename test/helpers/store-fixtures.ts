/** Store records as the store tests build them: one account, fixed times. */
import type {
  AccessKey,
  Bucket,
  Group,
  ManagedPolicy,
  MfaDevice,
  MultipartUpload,
  PolicyOwner,
  S3Object,
  UploadPart,
  User,
} from "../../src/store/store.js";

export const ACCOUNT = "123456789012";
export const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

export const user = (name: string, path = "/", id = `AIDA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`): User => ({
  accountId: ACCOUNT,
  userId: id,
  userName: name,
  path,
  createdAt: at(1),
});

export const key = (id: string, userName: string | null): AccessKey => ({
  accessKeyId: id,
  accountId: ACCOUNT,
  userName,
  sealedSecret: `sealed-${id}`,
  status: "Active",
  createdAt: at(2),
  lastUsed: null,
});

export const serial = (name: string, path = "/") => `arn:aws:iam::${ACCOUNT}:mfa${path}${name}`;

/** An unassigned virtual device (what CreateVirtualMFADevice stores). */
export const virtual = (name: string, changes: Partial<MfaDevice> = {}): MfaDevice => ({
  serialNumber: serial(name, changes.path),
  accountId: ACCOUNT,
  kind: "virtual",
  name,
  path: "/",
  sealedSeed: `sealed-seed-${name}`,
  tags: [],
  createdAt: at(3),
  assignment: null,
  lastStep: null,
  driftSteps: 0,
  ...changes,
});

/** A hardware token registered already enabled for its owner (null: root), as `mfa import` stores it. */
export const hardware = (serialNumber: string, owner: User | null = null): MfaDevice => ({
  serialNumber,
  accountId: ACCOUNT,
  kind: "hardware",
  name: serialNumber,
  path: "/",
  sealedSeed: `sealed-seed-${serialNumber}`,
  tags: [],
  createdAt: at(4),
  assignment: { user: owner, enabledAt: at(4) },
  lastStep: null,
  driftSteps: 0,
});

export const group = (name: string, path = "/", id = `AGPA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`): Group => ({
  accountId: ACCOUNT,
  groupId: id,
  groupName: name,
  path,
  createdAt: at(5),
});

/** Owners of inline policies and attachments. */
export const asUser = (name: string): PolicyOwner => ({ kind: "user", name });
export const asGroup = (name: string): PolicyOwner => ({ kind: "group", name });

export const policyArn = (name: string, path = "/") => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;
/** An AWS managed policy's ARN (not stored; only its attachments are). */
export const awsPolicyArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** A customer managed policy as CreatePolicy stores it (v1 the default, nothing attached). */
export const policy = (name: string, changes: Partial<ManagedPolicy> = {}): ManagedPolicy => ({
  accountId: ACCOUNT,
  policyId: `ANPA${name.toUpperCase().padEnd(17, "X").slice(0, 17)}`,
  policyName: name,
  path: "/",
  arn: policyArn(name, changes.path),
  description: null,
  defaultVersionId: "v1",
  tags: [],
  createdAt: at(6),
  updatedAt: at(6),
  attachmentCount: 0,
  ...changes,
});

/** A policy document as a client sends it: white space and key order are kept as they are. */
export const policyDoc = (action: string, effect = "Allow") =>
  `{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "${effect}", "Action": "${action}", "Resource": "*" } ]\n}`;

// --- S3 (issue 13) ---

/** A second account, for S3's one bucket namespace. */
export const OTHER_ACCOUNT = "210987654321";

export const bucket = (name: string, accountId = ACCOUNT, region = "us-east-1"): Bucket => ({
  name,
  accountId,
  region,
  createdAt: at(7),
});

/** An object record as PutObject stores it (blob `blob-KEY` unless given). */
export const object = (bucketName: string, key: string, changes: Partial<S3Object> = {}): S3Object => ({
  bucket: bucketName,
  key,
  size: 11,
  etag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
  contentType: "binary/octet-stream",
  metadata: [],
  headers: {},
  checksum: null,
  lastModified: at(8),
  blobId: `blob-${key}`,
  ...changes,
});

/** A multipart upload as CreateMultipartUpload stores it. */
export const upload = (bucketName: string, key: string, uploadId: string, changes: Partial<MultipartUpload> = {}): MultipartUpload => ({
  uploadId,
  bucket: bucketName,
  key,
  initiatedAt: at(9),
  contentType: "binary/octet-stream",
  metadata: [],
  headers: {},
  initiator: `arn:aws:iam::${ACCOUNT}:user/alice`,
  checksumAlgorithm: null,
  checksumType: null,
  ...changes,
});

/** An uploaded part (blob `part-N` unless given). */
export const part = (partNumber: number, changes: Partial<UploadPart> = {}): UploadPart => ({
  partNumber,
  size: 5 * 1024 * 1024,
  etag: `"${String(partNumber).padStart(32, "0")}"`,
  blobId: `part-${partNumber}`,
  checksum: null,
  lastModified: at(10),
  ...changes,
});

/** Sorts as S3 and both stores order keys: bytewise UTF-8. */
export const bytewise = (keys: readonly string[]): string[] =>
  [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
