/**
 * CopyObject (s3-spec §8.11): `PUT /bucket/key` with `x-amz-copy-source: /srcbucket/srckey`.
 * Authorized as s3:GetObject on the source and s3:PutObject on the target; the metadata is the
 * source's (`x-amz-metadata-directive: COPY`, the default) or the request's (`REPLACE`). The
 * bytes are copied into a new blob: objects never share one, so deleting either is simple.
 */
import { headerValue } from "../sigv4/index.js";
import { concatenateBlobs } from "../store/blobs.js";
import type { S3Object } from "../store/store.js";
import { s3Document, s3Response } from "./envelope.js";
import { S3Error, S3Errors } from "./errors.js";
import { attributesOf, existingObject, nowToTheSecond, objectKey, storeObject } from "./objects.js";
import { authorizeS3, existingBucket, objectArn, type S3Operation } from "./operation.js";

/** `/bucket/key` or `bucket/key`, URL-encoded; a `?versionId=` is not served (no versioning). */
function copySource(header: string): { bucket: string; key: string } {
  const [path, query] = header.split("?", 2) as [string, string | undefined];
  if (query !== undefined && !/^versionId=null$/.test(query)) throw S3Errors.notImplemented();
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith("/") ? path.slice(1) : path);
  } catch {
    throw S3Errors.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", header);
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw S3Errors.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", header);
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export const copyObject: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const key = objectKey(ctx);
  const source = copySource(headerValue(ctx.req, "x-amz-copy-source")!);
  await authorizeS3(ctx, "s3:GetObject", objectArn(source.bucket, source.key));
  await authorizeS3(ctx, "s3:PutObject", objectArn(bucket, key));
  await existingBucket(ctx, source.bucket);
  await existingBucket(ctx, bucket);
  const original = await existingObject(ctx, source.bucket, source.key);
  const directive = headerValue(ctx.req, "x-amz-metadata-directive")?.toUpperCase() ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE") {
    throw S3Errors.invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
  }
  if (directive === "COPY" && source.bucket === bucket && source.key === key) {
    throw new S3Error(
      "InvalidRequest",
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const blobId = await concatenateBlobs(ctx.deps.blobs, [original.blobId]);
  const copy: S3Object = {
    ...original,
    ...(directive === "REPLACE" ? attributesOf(ctx) : {}),
    bucket,
    key,
    lastModified: nowToTheSecond(ctx),
    blobId,
  };
  await storeObject(ctx, copy);
  return s3Response(ctx.ids, 200, s3Document("CopyObjectResult", { ETag: copy.etag, LastModified: copy.lastModified.toISOString() }));
};
