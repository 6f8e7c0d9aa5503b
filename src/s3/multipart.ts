/**
 * Multipart uploads (s3-spec §8.12): CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts (and ListMultipartUploads, in list-uploads.ts) — what `aws s3 cp`
 * and boto3's transfer manager use for files of 8 MiB and more. Parts stream into blobs like
 * PutObject's body; the completed object is the parts' bytes copied in order into one new blob,
 * with S3's `"<md5 of the parts' md5s>-N"` ETag.
 */
import { createHash } from "node:crypto";
import { principalArn } from "../principal.js";
import { XmlList } from "../protocol/xml.js";
import { checksumAlgorithmOfHeader } from "../sigv4/checksums.js";
import { headerValue } from "../sigv4/index.js";
import { concatenateBlobs } from "../store/blobs.js";
import type { ChecksumAlgorithm, MultipartUpload, S3Object, UploadPart } from "../store/store.js";
import { canonicalUserId } from "./buckets.js";
import { s3Document, s3Response } from "./envelope.js";
import { S3Error, S3Errors } from "./errors.js";
import { attributesOf, checksumHeaders, nowToTheSecond, objectKey, receiveBody, storeObject } from "./objects.js";
import { authorizeS3, existingBucket, objectArn, type S3Context, type S3Operation } from "./operation.js";
import { element, elements, xmlBody, xmlText } from "./xml-input.js";

/** Limits (s3-spec §9.1): 10 000 parts of 5 MiB (the last may be smaller) to 5 GiB each. */
const MAX_PARTS = 10_000;
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 5 * 1024 ** 3;
const MAX_LISTED = 1000;

const noSuchUpload = S3Errors.noSuchUpload;

/** The upload the request names, or NoSuchUpload. */
async function existingUpload(ctx: S3Context, key: string): Promise<MultipartUpload> {
  const uploadId = ctx.target.query.get("uploadId") ?? "";
  const upload = await ctx.deps.store.getUpload(ctx.target.bucket!, key, uploadId);
  if (!upload) throw noSuchUpload(uploadId);
  return upload;
}

export const createMultipartUpload: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:PutObject", objectArn(bucket, key));
  await existingBucket(ctx, bucket);
  const algorithmHeader = headerValue(ctx.req, "x-amz-checksum-algorithm");
  const algorithm = algorithmHeader === undefined ? null : (checksumAlgorithmOfHeader(`x-amz-checksum-${algorithmHeader.toLowerCase()}`) ?? null);
  if (algorithmHeader !== undefined && algorithm === null) {
    throw S3Errors.invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", "x-amz-checksum-algorithm", algorithmHeader);
  }
  const upload: MultipartUpload = {
    // Letters and digits only: an id starting with "-" reads as an option to the aws CLI.
    uploadId: ctx.deps.random.bytes(32).toString("hex"),
    bucket,
    key,
    initiatedAt: new Date(ctx.deps.clock.now()),
    initiator: principalArn(ctx.caller.principal),
    ...attributesOf(ctx),
    checksumAlgorithm: algorithm as ChecksumAlgorithm | null,
    checksumType: null,
  };
  if ((await ctx.deps.store.createUpload(upload)) === "no-bucket") throw S3Errors.noSuchBucket(bucket);
  const body = s3Document("InitiateMultipartUploadResult", { Bucket: bucket, Key: key, UploadId: upload.uploadId });
  return s3Response(ctx.ids, 200, body, algorithm ? { "x-amz-checksum-algorithm": algorithm } : {});
};

/** partNumber: 1..10000 (s3-spec §3.2). */
function partNumberOf(text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < 1 || n > MAX_PARTS) {
    throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", text);
  }
  return n;
}

export const uploadPart: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:PutObject", objectArn(bucket, key));
  const partNumber = partNumberOf(ctx.target.query.get("partNumber"));
  await existingBucket(ctx, bucket);
  const upload = await existingUpload(ctx, key);
  const body = await receiveBody(ctx, MAX_PART_BYTES);
  const part: UploadPart = {
    partNumber,
    size: body.size,
    etag: `"${body.md5.toString("hex")}"`,
    blobId: body.blobId,
    checksum: body.checksum && { algorithm: body.checksum.algorithm, value: body.checksum.value },
    lastModified: nowToTheSecond(ctx),
  };
  const put = await ctx.deps.store.putPart(bucket, key, upload.uploadId, part).catch(async (e: unknown) => {
    await ctx.deps.blobs.delete(body.blobId).catch(() => {});
    throw e;
  });
  if (put === "no-upload") {
    await ctx.deps.blobs.delete(body.blobId);
    throw noSuchUpload(upload.uploadId);
  }
  if (put.replacedBlobId !== null) await ctx.deps.blobs.delete(put.replacedBlobId);
  return s3Response(ctx.ids, 200, "", { ETag: part.etag, ...checksumHeaders(part.checksum) });
};

/** Every part of the upload, in order (at most 10 000). */
async function allParts(ctx: S3Context, upload: MultipartUpload): Promise<UploadPart[]> {
  const parts: UploadPart[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await ctx.deps.store.listParts(upload.bucket, upload.key, upload.uploadId, { after, limit: MAX_LISTED });
    if (!page) throw noSuchUpload(upload.uploadId);
    parts.push(...page.items);
    if (page.next === undefined) return parts;
    after = Number(page.next);
  }
}

/** `<CompleteMultipartUpload><Part><ETag>…</ETag><PartNumber>N</PartNumber>…</Part>…`: the parts asked for. */
function requestedParts(body: Uint8Array): { partNumber: number; etag: string }[] {
  return elements(xmlBody(body, "CompleteMultipartUpload"), "Part").map((part) => {
    const number = element(part, "PartNumber");
    const etag = element(part, "ETag");
    if (number === undefined || etag === undefined) throw S3Errors.malformedXml();
    return { partNumber: partNumberOf(number.trim()), etag: xmlText(etag).trim() };
  });
}

/** A whole-number query argument, at least `min` (UNCONFIRMED text: S3's InvalidArgument pattern). */
function countArgument(name: string, text: string, min: number): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) throw S3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, text);
  return Number(text);
}

/** max-parts / max-uploads: 1 or more, at most 1000 listed. */
export const maxArgument = (name: string, text: string | undefined): number =>
  text === undefined ? MAX_LISTED : Math.min(countArgument(name, text, 1), MAX_LISTED);

const unquoted = (etag: string): string => etag.replace(/^"|"$/g, "");

export const completeMultipartUpload: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:PutObject", objectArn(bucket, key));
  await existingBucket(ctx, bucket);
  const upload = await existingUpload(ctx, key);
  const requested = requestedParts(ctx.req.body);
  if (requested.length === 0) throw new S3Error("InvalidRequest", 400, "You must specify at least one part");
  for (let i = 1; i < requested.length; i++) {
    if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) {
      throw new S3Error("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.", [["UploadId", upload.uploadId]]);
    }
  }
  const stored = new Map((await allParts(ctx, upload)).map((p) => [p.partNumber, p]));
  const parts = requested.map((r) => {
    const part = stored.get(r.partNumber);
    if (!part || unquoted(part.etag) !== unquoted(r.etag)) {
      // Wire order of the elements UNCONFIRMED (s3-spec §2.3).
      throw new S3Error(
        "InvalidPart",
        400,
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        [["ETag", unquoted(r.etag)], ["PartNumber", String(r.partNumber)], ["UploadId", upload.uploadId]],
      );
    }
    return part;
  });
  parts.forEach((part, i) => {
    if (i < parts.length - 1 && part.size < MIN_PART_BYTES) {
      throw new S3Error("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed size", [
        ["ProposedSize", String(part.size)],
        ["MinSizeAllowed", String(MIN_PART_BYTES)],
        ["PartNumber", String(part.partNumber)],
        ["ETag", unquoted(part.etag)],
      ]);
    }
  });

  // The object's bytes: the parts in order, copied into one new blob.
  const blobId = await concatenateBlobs(
    ctx.deps.blobs,
    parts.map((p) => p.blobId),
  );
  const md5s = createHash("md5");
  for (const part of parts) md5s.update(Buffer.from(unquoted(part.etag), "hex"));
  const object: S3Object = {
    bucket,
    key,
    size: parts.reduce((n, p) => n + p.size, 0),
    etag: `"${md5s.digest("hex")}-${parts.length}"`,
    contentType: upload.contentType,
    metadata: upload.metadata,
    headers: upload.headers,
    // A multipart object's checksum is a checksum of checksums (COMPOSITE) or a combined one:
    // not computed here, so none is stored or returned.
    checksum: null,
    lastModified: nowToTheSecond(ctx),
    blobId,
  };
  const done = await ctx.deps.store.completeUpload(upload.uploadId, object, parts).catch(async (e: unknown) => {
    await ctx.deps.blobs.delete(blobId).catch(() => {});
    throw e;
  });
  if (done === "not-found" || done === "parts-changed") {
    await ctx.deps.blobs.delete(blobId);
    throw done === "not-found" ? noSuchUpload(upload.uploadId) : S3Errors.internalError();
  }
  for (const blobId of done.partBlobIds) await ctx.deps.blobs.delete(blobId);
  if (done.replacedBlobId !== null) await ctx.deps.blobs.delete(done.replacedBlobId);
  const body = s3Document("CompleteMultipartUploadResult", {
    Location: `/${bucket}/${key}`,
    Bucket: bucket,
    Key: key,
    ETag: object.etag,
  });
  return s3Response(ctx.ids, 200, body);
};

export const abortMultipartUpload: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:AbortMultipartUpload", objectArn(bucket, key));
  await existingBucket(ctx, bucket);
  const uploadId = ctx.target.query.get("uploadId") ?? "";
  const result = await ctx.deps.store.abortUpload(bucket, key, uploadId);
  if (result === "not-found") throw noSuchUpload(uploadId);
  for (const blobId of result.partBlobIds) await ctx.deps.blobs.delete(blobId);
  return s3Response(ctx.ids, 204);
};

export const initiatorXml = (upload: MultipartUpload) => ({ ID: upload.initiator, DisplayName: upload.initiator.slice(upload.initiator.lastIndexOf(":") + 1) });

export const listParts: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  await authorizeS3(ctx, "s3:ListMultipartUploadParts", objectArn(bucket, key));
  await existingBucket(ctx, bucket);
  const upload = await existingUpload(ctx, key);
  const { query } = ctx.target;
  const markerText = query.get("part-number-marker");
  const after = markerText === undefined || markerText === "" ? undefined : countArgument("part-number-marker", markerText, 0);
  const maxParts = maxArgument("max-parts", query.get("max-parts"));
  const page = await ctx.deps.store.listParts(bucket, key, upload.uploadId, { after, limit: maxParts });
  if (!page) throw noSuchUpload(upload.uploadId);
  const body = s3Document("ListPartsResult", {
    Bucket: bucket,
    Key: key,
    UploadId: upload.uploadId,
    PartNumberMarker: after ?? 0,
    NextPartNumberMarker: page.next ?? page.items.at(-1)?.partNumber ?? 0,
    MaxParts: maxParts,
    IsTruncated: page.next !== undefined,
    Part: new XmlList(
      page.items.map((p) => ({ PartNumber: p.partNumber, LastModified: p.lastModified.toISOString(), ETag: p.etag, Size: p.size })),
      "Part",
      true,
    ),
    Initiator: initiatorXml(upload),
    Owner: { ID: canonicalUserId(ctx.caller.principal.accountId) },
    StorageClass: "STANDARD",
  });
  return s3Response(ctx.ids, 200, body);
};
