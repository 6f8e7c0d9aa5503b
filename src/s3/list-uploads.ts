/**
 * ListMultipartUploads (s3-spec §8.12): `GET /bucket?uploads` with `prefix`, `delimiter`,
 * `key-marker`, `upload-id-marker`, `max-uploads` and `encoding-type`. With a delimiter, keys that
 * go on past it after the prefix roll up into one CommonPrefixes entry each, counted against
 * max-uploads like an upload (as ListObjects does, objects.ts); with `encoding-type=url` the key
 * fields are percent-encoded as AWS's model lists them: Delimiter, KeyMarker, Prefix,
 * NextKeyMarker, Key (and each CommonPrefixes' Prefix).
 */
import { XmlList } from "../protocol/xml.js";
import type { MultipartUpload } from "../store/store.js";
import { canonicalUserId } from "./buckets.js";
import { s3Document, s3Response } from "./envelope.js";
import { S3Errors } from "./errors.js";
import { initiatorXml, maxArgument } from "./multipart.js";
import { urlEncode } from "./objects.js";
import { authorizeS3, bucketArn, existingBucket, type S3Context, type S3Operation } from "./operation.js";

interface UploadsPage {
  uploads: MultipartUpload[];
  commonPrefixes: string[];
  /** The last entry listed, when more follow: the next page's key-marker (and upload-id-marker). */
  next: { keyMarker: string; uploadIdMarker?: string } | undefined;
}

/** Where a listing resumes: after an upload, after a key's every upload, or past a whole group. */
type Cursor = { keyMarker?: string; uploadIdMarker?: string; beyondPrefix?: string };

/** Is `marker` one whole CommonPrefixes entry (`prefix` + text without the delimiter + delimiter)? */
function isGroup(marker: string, prefix: string, delimiter: string): boolean {
  if (!marker.startsWith(prefix) || !marker.endsWith(delimiter)) return false;
  return marker.slice(prefix.length).indexOf(delimiter) === marker.length - prefix.length - delimiter.length;
}

async function uploadsPage(ctx: S3Context, bucket: string, prefix: string, delimiter: string, start: Cursor, limit: number): Promise<UploadsPage> {
  const uploads: MultipartUpload[] = [];
  const commonPrefixes: string[] = [];
  const count = () => uploads.length + commonPrefixes.length;
  const store = ctx.deps.store;
  // A page that ended on a CommonPrefix handed it on as key-marker: go on after the whole group,
  // not after the prefix itself (whose keys would roll up into it again, page after page).
  let cursor: Cursor =
    delimiter !== "" && start.keyMarker !== undefined && start.uploadIdMarker === undefined && isGroup(start.keyMarker, prefix, delimiter)
      ? { beyondPrefix: start.keyMarker }
      : start;
  let last: UploadsPage["next"];
  while (count() < limit) {
    const page = await store.listUploads(bucket, { prefix, ...cursor, limit: limit - count() });
    let grouped = false;
    for (const upload of page.items) {
      const cut = delimiter === "" ? -1 : upload.key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const common = upload.key.slice(0, cut + delimiter.length);
        commonPrefixes.push(common);
        last = { keyMarker: common };
        // Skip the rest of this group in one step.
        cursor = { beyondPrefix: common };
        grouped = true;
        break;
      }
      uploads.push(upload);
      last = { keyMarker: upload.key, uploadIdMarker: upload.uploadId };
      cursor = { keyMarker: upload.key, uploadIdMarker: upload.uploadId };
      if (count() >= limit) break;
    }
    if (!grouped && (page.next === undefined || page.items.length === 0) && count() < limit) return { uploads, commonPrefixes, next: undefined };
  }
  // Full: is there anything after the last entry?
  const more = await store.listUploads(bucket, { prefix, ...cursor, limit: 1 });
  return { uploads, commonPrefixes, next: more.items.length > 0 ? last : undefined };
}

export const listMultipartUploads: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  await authorizeS3(ctx, "s3:ListBucketMultipartUploads", bucketArn(bucket));
  await existingBucket(ctx, bucket);
  const { query } = ctx.target;
  const encodingType = query.get("encoding-type");
  if (encodingType !== undefined && encodingType !== "url") throw S3Errors.invalidEncodingType(encodingType);
  const encode = encodingType === "url" ? urlEncode : (text: string) => text;
  const keyMarker = query.get("key-marker") || undefined;
  // Without key-marker, upload-id-marker means nothing (AWS's model: "is ignored").
  const uploadIdMarker = keyMarker === undefined ? undefined : query.get("upload-id-marker") || undefined;
  const prefix = query.get("prefix") || undefined;
  const delimiter = query.get("delimiter");
  const maxUploads = maxArgument("max-uploads", query.get("max-uploads"));
  const page = await uploadsPage(ctx, bucket, prefix ?? "", delimiter ?? "", { keyMarker, uploadIdMarker }, maxUploads);
  const owner = { ID: canonicalUserId(ctx.caller.principal.accountId) };
  // Elements in the order of AWS's model (ListMultipartUploadsOutput); the wire order is UNCONFIRMED.
  const body = s3Document("ListMultipartUploadsResult", {
    Bucket: bucket,
    KeyMarker: encode(keyMarker ?? ""),
    UploadIdMarker: query.get("upload-id-marker") ?? "",
    NextKeyMarker: page.next === undefined ? undefined : encode(page.next.keyMarker),
    Prefix: prefix === undefined ? undefined : encode(prefix),
    Delimiter: delimiter === undefined ? undefined : encode(delimiter),
    NextUploadIdMarker: page.next?.uploadIdMarker,
    MaxUploads: maxUploads,
    IsTruncated: page.next !== undefined,
    Upload: new XmlList(
      page.uploads.map((u) => ({
        Key: encode(u.key),
        UploadId: u.uploadId,
        Initiator: initiatorXml(u),
        Owner: owner,
        StorageClass: "STANDARD",
        Initiated: u.initiatedAt.toISOString(),
      })),
      "Upload",
      true,
    ),
    CommonPrefixes: new XmlList(page.commonPrefixes.map((p) => ({ Prefix: encode(p) })), "CommonPrefixes", true),
    EncodingType: encodingType,
  });
  return s3Response(ctx.ids, 200, body);
};
