/**
 * DeleteObjects (s3-spec §8.10): `POST /bucket?delete` with up to 1000 keys. The body must carry
 * a Content-MD5 or an x-amz-checksum-* header (the model marks it requestChecksumRequired), which
 * is checked; each key is authorized and deleted on its own, and reported under `<Deleted>` (not
 * when Quiet) or `<Error>`.
 */
import { createHash } from "node:crypto";
import { decide } from "../auth/authorize.js";
import { XmlList, type XmlObject } from "../protocol/xml.js";
import { checksumAlgorithmOfHeader, checksumBase64 } from "../sigv4/checksums.js";
import { headerValue } from "../sigv4/index.js";
import { s3Document, s3Response } from "./envelope.js";
import { S3Error, S3Errors } from "./errors.js";
import { existingBucket, objectArn, type S3Operation } from "./operation.js";
import { element, elements, xmlBody, xmlText } from "./xml-input.js";

const MAX_KEYS = 1000;

/** UNCONFIRMED text: what S3 answers for a DeleteObjects body without an integrity header. */
const missingChecksum = () => new S3Error("InvalidRequest", 400, "Missing required header for this request: Content-MD5");

export const deleteObjects: S3Operation = async (ctx) => {
  const bucket = ctx.target.bucket!;
  const { body } = ctx.req;
  // The integrity check the model requires (a checksum header is checked against the body).
  const contentMd5 = headerValue(ctx.req, "content-md5");
  const checksumHeader = ctx.req.headers.find(([k]) => k.toLowerCase().startsWith("x-amz-checksum-") && checksumAlgorithmOfHeader(k.toLowerCase()) !== undefined);
  if (contentMd5 === undefined && checksumHeader === undefined) throw missingChecksum();
  if (contentMd5 !== undefined && createHash("md5").update(body).digest("base64") !== contentMd5.trim()) {
    throw S3Errors.badDigest(Buffer.from(contentMd5, "base64").toString("hex"), createHash("md5").update(body).digest("base64"));
  }
  if (checksumHeader !== undefined) {
    const algorithm = checksumAlgorithmOfHeader(checksumHeader[0].toLowerCase())!;
    if (checksumBase64(algorithm, body) !== checksumHeader[1].trim()) throw S3Errors.checksumMismatch(algorithm);
  }
  const xml = xmlBody(body, "Delete");
  const quiet = element(xml, "Quiet")?.trim() === "true";
  const keys = elements(xml, "Object").map((o) => {
    const key = element(o, "Key");
    if (key === undefined) throw S3Errors.malformedXml();
    return xmlText(key);
  });
  if (keys.length === 0 || keys.length > MAX_KEYS) throw S3Errors.malformedXml();
  await existingBucket(ctx, bucket);

  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (const key of keys) {
    const { decision } = await decide(ctx.caller, ctx.deps.store, { action: "s3:DeleteObject", resource: objectArn(bucket, key), shown: null });
    if (decision !== "allow") {
      errors.push({ Key: key, Code: "AccessDenied", Message: "Access Denied" });
      continue;
    }
    const gone = await ctx.deps.store.deleteObject(bucket, key);
    if (gone) await ctx.deps.blobs.delete(gone.blobId);
    // A key that was not there is reported deleted, as S3 does.
    if (!quiet) deleted.push({ Key: key });
  }
  return s3Response(ctx.ids, 200, s3Document("DeleteResult", { Deleted: new XmlList(deleted, "Deleted", true), Error: new XmlList(errors, "Error", true) }));
};
