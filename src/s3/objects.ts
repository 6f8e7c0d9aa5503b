/**
 * Objects (s3-spec §8.6–8.9): PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2 and
 * ListObjects (v1). Bodies stream: a PUT goes from the socket through the payload checker
 * (x-amz-content-sha256 or aws-chunked, chunk signatures and trailer checksums) to a temporary
 * blob that becomes visible only when everything checked out; a GET streams the blob back.
 */
import { createHash } from "node:crypto";
import { decide } from "../auth/authorize.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import { checksumAlgorithmOfHeader, checksumHeaderName, createChecksum, isValidChecksumValue, type Checksum } from "../sigv4/checksums.js";
import { headerValue } from "../sigv4/index.js";
import type { MetadataEntry, ObjectChecksum, ObjectHeaders, S3Object } from "../store/store.js";
import { canonicalUserId } from "./buckets.js";
import { s3Document, s3Response, type S3Response } from "./envelope.js";
import { S3Errors } from "./errors.js";
import { authorizeS3, bucketArn, existingBucket, objectArn, type S3Context, type S3Operation } from "./operation.js";
import { payloadError } from "./payload-errors.js";

/** "single PUT 5 GB" (s3-spec §9.1). */
const MAX_PUT_BYTES = 5 * 1024 ** 3;
const MAX_KEY_BYTES = 1024;
const DEFAULT_CONTENT_TYPE = "binary/octet-stream";

const HEADER_FIELDS: readonly [keyof ObjectHeaders, string][] = [
  ["contentEncoding", "Content-Encoding"],
  ["contentDisposition", "Content-Disposition"],
  ["contentLanguage", "Content-Language"],
  ["cacheControl", "Cache-Control"],
  ["expires", "Expires"],
];

/** The key, refused when S3 would (over 1024 bytes; NUL cannot be stored). */
export function objectKey(ctx: S3Context): string {
  const key = ctx.target.key!;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES || key.includes("\0")) throw S3Errors.keyTooLong();
  return key;
}

/** x-amz-meta-NAME headers, names in lower case as S3 returns them. */
function metadataOf(ctx: S3Context): MetadataEntry[] {
  const entries: MetadataEntry[] = [];
  for (const [name, value] of ctx.req.headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith("x-amz-meta-")) entries.push({ name: lower.slice("x-amz-meta-".length), value: value.trim() });
  }
  return entries;
}

function objectHeadersOf(ctx: S3Context): ObjectHeaders {
  const headers: ObjectHeaders = {};
  for (const [field, name] of HEADER_FIELDS) {
    let value = headerValue(ctx.req, name.toLowerCase());
    // aws-chunked is how the body travelled, not what it is: S3 does not keep it.
    if (field === "contentEncoding" && value !== undefined) {
      value = value.split(",").map((v) => v.trim()).filter((v) => v !== "" && v.toLowerCase() !== "aws-chunked").join(",") || undefined;
    }
    if (value !== undefined) headers[field] = value;
  }
  return headers;
}

/** A checksum sent as a header (x-amz-checksum-crc32: …), checked once the body is in. */
function headerChecksum(ctx: S3Context): { header: string; value: string; sum: Checksum } | undefined {
  for (const [name, value] of ctx.req.headers) {
    const lower = name.toLowerCase();
    const algorithm = lower.startsWith("x-amz-checksum-") ? checksumAlgorithmOfHeader(lower) : undefined;
    if (algorithm === undefined) continue;
    if (!isValidChecksumValue(algorithm, value.trim())) throw S3Errors.invalidChecksumHeader(lower);
    return { header: lower, value: value.trim(), sum: createChecksum(algorithm) };
  }
  return undefined;
}

/** A body received whole and checked: the blob it was written to (committed), its size, MD5 and checksum. */
export interface ReceivedBody {
  blobId: string;
  size: number;
  md5: Buffer;
  checksum: ObjectChecksum | null;
}

/**
 * Streams the request's body through the payload checker (x-amz-content-sha256 or aws-chunked,
 * chunk and trailer signatures and checksums) into a new blob, checking Content-MD5 and an
 * x-amz-checksum-* header too; the blob is committed only when everything checked out, and
 * nothing is left behind when anything did not.
 */
export async function receiveBody(ctx: S3Context, maxBytes: number): Promise<ReceivedBody> {
  const contentMd5 = headerValue(ctx.req, "content-md5");
  if (contentMd5 !== undefined && Buffer.from(contentMd5, "base64").length !== 16) throw S3Errors.invalidDigest(contentMd5);
  const declaredChecksum = headerChecksum(ctx);
  const md5 = createHash("md5");
  let size = 0;
  const writer = await ctx.deps.blobs.create();
  try {
    const pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = ctx.req.stream ?? [ctx.req.body];
    for await (const piece of pieces) {
      for (const bytes of ctx.payload.write(piece)) {
        size += bytes.length;
        if (size > maxBytes) throw S3Errors.entityTooLarge(size, maxBytes);
        md5.update(bytes);
        declaredChecksum?.sum.update(bytes);
        await writer.write(bytes);
      }
      if (ctx.payload.error !== undefined) break;
    }
    const result = ctx.payload.end();
    if (!result.ok) throw payloadError(result.error);
    const digest = md5.digest();
    if (contentMd5 !== undefined && digest.toString("base64") !== contentMd5) {
      throw S3Errors.badDigest(Buffer.from(contentMd5, "base64").toString("hex"), digest.toString("base64"));
    }
    let checksum: ObjectChecksum | null = null;
    if (declaredChecksum) {
      if (declaredChecksum.sum.digest() !== declaredChecksum.value) throw S3Errors.checksumMismatch(declaredChecksum.sum.algorithm);
      checksum = { algorithm: declaredChecksum.sum.algorithm, value: declaredChecksum.value, type: "FULL_OBJECT" };
    } else if (result.checksums[0] !== undefined) {
      checksum = { algorithm: result.checksums[0].algorithm, value: result.checksums[0].value, type: "FULL_OBJECT" };
    }
    await writer.commit();
    return { blobId: writer.id, size, md5: digest, checksum };
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** The object's attributes from the request's headers (PutObject, CreateMultipartUpload). */
export function attributesOf(ctx: S3Context): Pick<S3Object, "contentType" | "metadata" | "headers"> {
  return { contentType: headerValue(ctx.req, "content-type") ?? DEFAULT_CONTENT_TYPE, metadata: metadataOf(ctx), headers: objectHeadersOf(ctx) };
}

/** The checksum headers an answer echoes. */
export function checksumHeaders(checksum: ObjectChecksum | { algorithm: ObjectChecksum["algorithm"]; value: string } | null): Record<string, string> {
  if (checksum === null) return {};
  const headers: Record<string, string> = { [checksumHeaderName(checksum.algorithm)]: checksum.value };
  if ("type" in checksum) headers["x-amz-checksum-type"] = checksum.type;
  return headers;
}

/** Puts the object and deletes the blob it replaced (or its own, when the bucket went away meanwhile). */
export async function storeObject(ctx: S3Context, object: S3Object): Promise<void> {
  const put = await ctx.deps.store.putObject(object).catch(async (e: unknown) => {
    // The store did not take it (unavailable, …): nothing names the blob, so it goes.
    await ctx.deps.blobs.delete(object.blobId).catch(() => {});
    throw e;
  });
  if (put === "no-bucket") {
    await ctx.deps.blobs.delete(object.blobId);
    throw S3Errors.noSuchBucket(object.bucket);
  }
  if (put.replacedBlobId !== null) await ctx.deps.blobs.delete(put.replacedBlobId);
}

/** S3 keeps LastModified to the second. */
export const nowToTheSecond = (ctx: S3Context): Date => new Date(Math.floor(ctx.deps.clock.now() / 1000) * 1000);

export const putObject: S3Operation = async (ctx) => {
  const bucketName = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:PutObject", objectArn(bucketName, key));
  await existingBucket(ctx, bucketName);
  const body = await receiveBody(ctx, MAX_PUT_BYTES);
  const object: S3Object = {
    bucket: bucketName,
    key,
    size: body.size,
    etag: `"${body.md5.toString("hex")}"`,
    ...attributesOf(ctx),
    checksum: body.checksum,
    lastModified: nowToTheSecond(ctx),
    blobId: body.blobId,
  };
  await storeObject(ctx, object);
  return s3Response(ctx.ids, 200, "", { ETag: object.etag, ...checksumHeaders(body.checksum) });
};

/** The object, or S3's answer for a missing one: 404 to who may list the bucket, else 403 (s3-spec §8.8). */
export async function existingObject(ctx: S3Context, bucket: string, key: string): Promise<S3Object> {
  const object = await ctx.deps.store.getObject(bucket, key);
  if (object) return object;
  const { decision } = await decide(ctx.caller, ctx.deps.store, { action: "s3:ListBucket", resource: bucketArn(bucket), shown: null });
  throw decision === "allow" ? S3Errors.noSuchKey(key) : S3Errors.accessDenied();
}

const httpDate = (date: Date): string => date.toUTCString();

/**
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`: the inclusive range, or undefined for a header S3 ignores.
 * A range that does not parse is ignored, whole object and 200, as RFC 9110 §14.2 has it: several
 * ranges, nonsense, and a last position before the first (`bytes=5-1`, not a byte-range-spec at
 * all, §14.1.1). s3-spec is silent on it (UNCONFIRMED); only a well-formed range that starts past
 * the end is 416 InvalidRange.
 */
function byteRange(header: string, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] !== "" && m[2] !== "" && Number(m[2]) < Number(m[1])) return undefined;
  if (size === 0) return "unsatisfiable";
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since, as S3 applies them (s3-spec §8.8). */
function preconditions(ctx: S3Context, object: S3Object): "not-modified" | undefined {
  const unquote = (tag: string) => tag.trim().replace(/^"|"$/g, "");
  const etag = unquote(object.etag);
  const matches = (header: string) => header.split(",").some((t) => unquote(t) === etag || t.trim() === "*");
  const ifMatch = headerValue(ctx.req, "if-match");
  const ifNoneMatch = headerValue(ctx.req, "if-none-match");
  const ifModifiedSince = headerValue(ctx.req, "if-modified-since");
  const ifUnmodifiedSince = headerValue(ctx.req, "if-unmodified-since");
  const modified = object.lastModified.getTime();
  if (ifMatch !== undefined && !matches(ifMatch)) throw S3Errors.preconditionFailed("If-Match");
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined) {
    const since = Date.parse(ifUnmodifiedSince);
    if (!Number.isNaN(since) && modified > since) throw S3Errors.preconditionFailed("If-Unmodified-Since");
  }
  if (ifNoneMatch !== undefined) return matches(ifNoneMatch) ? "not-modified" : undefined;
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    // A date in the future is ignored.
    if (!Number.isNaN(since) && since <= ctx.deps.clock.now() && modified <= since) return "not-modified";
  }
  return undefined;
}

/** The headers of an object's answer; its checksum only for the whole object (a range has another). */
function objectHeaders(ctx: S3Context, object: S3Object, whole: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "Last-Modified": httpDate(object.lastModified),
    ETag: object.etag,
    "Accept-Ranges": "bytes",
    "Content-Type": object.contentType,
  };
  for (const [field, name] of HEADER_FIELDS) if (object.headers[field] !== undefined) headers[name] = object.headers[field]!;
  for (const m of object.metadata) headers[`x-amz-meta-${m.name}`] = m.value;
  if (whole && object.checksum && headerValue(ctx.req, "x-amz-checksum-mode")?.toUpperCase() === "ENABLED") {
    headers[checksumHeaderName(object.checksum.algorithm)] = object.checksum.value;
    headers["x-amz-checksum-type"] = object.checksum.type;
  }
  return headers;
}

async function readObject(ctx: S3Context, withBody: boolean): Promise<S3Response> {
  const bucketName = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:GetObject", objectArn(bucketName, key));
  await existingBucket(ctx, bucketName);
  const object = await existingObject(ctx, bucketName, key);
  if (preconditions(ctx, object) === "not-modified") {
    return {
      status: 304,
      headers: { "x-amz-request-id": ctx.ids.requestId, "x-amz-id-2": ctx.ids.hostId, ETag: object.etag, "Last-Modified": httpDate(object.lastModified) },
      body: "",
    };
  }
  const rangeHeader = headerValue(ctx.req, "range");
  const range = rangeHeader === undefined ? undefined : byteRange(rangeHeader, object.size);
  if (range === "unsatisfiable") throw S3Errors.invalidRange(rangeHeader!, object.size);
  const headers = objectHeaders(ctx, object, range === undefined);
  const ids = { "x-amz-request-id": ctx.ids.requestId, "x-amz-id-2": ctx.ids.hostId };
  if (range !== undefined) {
    const length = range.end - range.start + 1;
    return {
      status: 206,
      headers: { ...ids, ...headers, "Content-Range": `bytes ${range.start}-${range.end}/${object.size}`, "Content-Length": String(length) },
      body: withBody && length > 0 ? ctx.deps.blobs.read(object.blobId, range) : "",
    };
  }
  return {
    status: 200,
    headers: { ...ids, ...headers, "Content-Length": String(object.size) },
    body: withBody && object.size > 0 ? ctx.deps.blobs.read(object.blobId) : "",
  };
}

export const getObject: S3Operation = (ctx) => readObject(ctx, true);
export const headObject: S3Operation = (ctx) => readObject(ctx, false);

export const deleteObject: S3Operation = async (ctx) => {
  const bucketName = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:DeleteObject", objectArn(bucketName, key));
  await existingBucket(ctx, bucketName);
  const deleted = await ctx.deps.store.deleteObject(bucketName, key);
  if (deleted) await ctx.deps.blobs.delete(deleted.blobId);
  // 204 whether or not there was such a key.
  return s3Response(ctx.ids, 204);
};

/** S3's `encoding-type=url` encoding of keys and prefixes (botocore decodes them back). */
export const urlEncode = (text: string): string => encodeURIComponent(text).replace(/%2F/g, "/").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const MAX_KEYS = 1000;

/**
 * One page of keys and common prefixes after `after` (exclusive), each counted against `limit`
 * (s3-spec §8.6). `next`: where the following page starts, when there is one.
 */
async function listPage(ctx: S3Context, bucket: string, prefix: string, delimiter: string | undefined, after: string | undefined, limit: number) {
  const contents: S3Object[] = [];
  const commonPrefixes: string[] = [];
  // A page that ended on a CommonPrefix hands it on as its token or marker: go on after the whole
  // group, not after the prefix itself (whose keys would roll up into it again, page after page).
  const endsOnGroup =
    after !== undefined && delimiter !== undefined && delimiter !== "" && after.startsWith(prefix) && after.endsWith(delimiter) &&
    after.slice(prefix.length).indexOf(delimiter) === after.length - prefix.length - delimiter.length;
  let cursor: { after?: string; beyondPrefix?: string } = after === undefined ? {} : endsOnGroup ? { beyondPrefix: after } : { after };
  let last: string | undefined;
  while (contents.length + commonPrefixes.length < limit) {
    const page = await ctx.deps.store.listObjects(bucket, { prefix: prefix === "" ? undefined : prefix, ...cursor, limit: limit - contents.length - commonPrefixes.length });
    if (page.items.length === 0) return { contents, commonPrefixes, next: undefined };
    let grouped = false;
    for (const object of page.items) {
      const rest = object.key.slice(prefix.length);
      const cut = delimiter === undefined || delimiter === "" ? -1 : rest.indexOf(delimiter);
      if (cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter!.length);
        if (commonPrefixes.at(-1) !== common) commonPrefixes.push(common);
        last = common;
        // Skip the rest of this group in one step.
        cursor = { beyondPrefix: common };
        grouped = true;
        break;
      }
      contents.push(object);
      last = object.key;
      cursor = { after: object.key };
      if (contents.length + commonPrefixes.length >= limit) break;
    }
    if (!grouped && page.next === undefined && contents.length + commonPrefixes.length < limit) return { contents, commonPrefixes, next: undefined };
  }
  // Full: is there anything after the last item?
  const more = await ctx.deps.store.listObjects(bucket, { prefix: prefix === "" ? undefined : prefix, ...cursor, limit: 1 });
  return { contents, commonPrefixes, next: more.items.length > 0 ? last : undefined };
}

/** The listing parameters both versions share, checked; the action authorized with its condition keys. */
async function listing(ctx: S3Context) {
  const bucketName = ctx.target.bucket!;
  const { query } = ctx.target;
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter");
  const encodingType = query.get("encoding-type");
  if (encodingType !== undefined && encodingType !== "url") throw S3Errors.invalidEncodingType(encodingType);
  const maxKeysText = query.get("max-keys");
  const maxKeys = maxKeysText === undefined ? MAX_KEYS : Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || !/^\d+$/.test(maxKeysText ?? "0")) {
    throw S3Errors.invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", maxKeysText);
  }
  const context: Record<string, string> = { "s3:prefix": prefix, "s3:max-keys": String(maxKeys) };
  if (delimiter !== undefined) context["s3:delimiter"] = delimiter;
  await authorizeS3(ctx, "s3:ListBucket", bucketArn(bucketName), context);
  await existingBucket(ctx, bucketName);
  const encode = encodingType === "url" ? urlEncode : (t: string) => t;
  return { bucketName, prefix, delimiter, encodingType, limit: Math.min(maxKeys, MAX_KEYS), encode };
}

function contentsXml(objects: readonly S3Object[], encode: (t: string) => string, owner: XmlObject | undefined): XmlList {
  return new XmlList(
    objects.map((o) => ({
      Key: encode(o.key),
      LastModified: o.lastModified.toISOString(),
      ETag: o.etag,
      ChecksumAlgorithm: o.checksum?.algorithm,
      ChecksumType: o.checksum?.type,
      Size: o.size,
      Owner: owner,
      StorageClass: "STANDARD",
    })),
    "Contents",
    true,
  );
}

const prefixesXml = (prefixes: readonly string[], encode: (t: string) => string): XmlList =>
  new XmlList(prefixes.map((p) => ({ Prefix: encode(p) })), "CommonPrefixes", true);

export const listObjectsV2: S3Operation = async (ctx) => {
  const l = await listing(ctx);
  const { query } = ctx.target;
  const token = query.get("continuation-token");
  const startAfter = query.get("start-after");
  let after = startAfter;
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (token === "" || Buffer.from(decoded, "utf8").toString("base64url") !== token) throw S3Errors.invalidContinuationToken(token);
    after = decoded;
  }
  const page = l.limit === 0 ? { contents: [], commonPrefixes: [], next: undefined } : await listPage(ctx, l.bucketName, l.prefix, l.delimiter, after, l.limit);
  const owner = query.get("fetch-owner") === "true" ? { ID: canonicalUserId(ctx.caller.principal.accountId) } : undefined;
  const body = s3Document("ListBucketResult", {
    Name: l.bucketName,
    Prefix: l.encode(l.prefix),
    Delimiter: l.delimiter === undefined ? undefined : l.encode(l.delimiter),
    MaxKeys: l.limit === MAX_KEYS ? MAX_KEYS : Number(query.get("max-keys")),
    EncodingType: l.encodingType,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.next !== undefined,
    ContinuationToken: token,
    NextContinuationToken: page.next === undefined ? undefined : Buffer.from(page.next, "utf8").toString("base64url"),
    StartAfter: startAfter === undefined ? undefined : l.encode(startAfter),
    Contents: contentsXml(page.contents, l.encode, owner),
    CommonPrefixes: prefixesXml(page.commonPrefixes, l.encode),
  });
  return s3Response(ctx.ids, 200, body);
};

export const listObjectsV1: S3Operation = async (ctx) => {
  const l = await listing(ctx);
  const marker = ctx.target.query.get("marker");
  const page = l.limit === 0 ? { contents: [], commonPrefixes: [], next: undefined } : await listPage(ctx, l.bucketName, l.prefix, l.delimiter, marker, l.limit);
  const owner = { ID: canonicalUserId(ctx.caller.principal.accountId) };
  const body = s3Document("ListBucketResult", {
    Name: l.bucketName,
    Prefix: l.encode(l.prefix),
    Marker: marker === undefined ? "" : l.encode(marker),
    // NextMarker only with a delimiter (s3-spec §8.6).
    NextMarker: page.next !== undefined && l.delimiter !== undefined ? l.encode(page.next) : undefined,
    MaxKeys: l.limit === MAX_KEYS ? MAX_KEYS : Number(ctx.target.query.get("max-keys")),
    Delimiter: l.delimiter === undefined ? undefined : l.encode(l.delimiter),
    IsTruncated: page.next !== undefined,
    EncodingType: l.encodingType,
    Contents: contentsXml(page.contents, l.encode, owner),
    CommonPrefixes: prefixesXml(page.commonPrefixes, l.encode),
  });
  return s3Response(ctx.ids, 200, body);
};
