/**
 * S3 on the shared port (DESIGN decision 6): authentication in S3's words, the route from method
 * and address to an operation, and S3's envelope for every answer. Anything S3 has that this
 * server does not is `NotImplemented` in S3's envelope, never a 500.
 */
import { AuthFailure, verifyCaller } from "../auth/authenticate.js";
import type { RequestObserver, S3Address } from "../audit/observed-request.js";
import type { Deps } from "../deps.js";
import type { Caller } from "../principal.js";
import { headerValue } from "../sigv4/index.js";
import type { ParseResult } from "../sigv4/parse.js";
import { s3PayloadReader } from "../sigv4/payload.js";
import {
  checkS3Presigned,
  checkS3RequestTime,
  s3Payload,
  s3SignatureMismatchDetails,
  s3UnsignedHeaders,
  verifyS3Signature,
  type SignatureMismatchDetails,
} from "../sigv4/s3.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { StoreUnavailableError } from "../store/store.js";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets.js";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from "./multipart.js";
import { deleteObject, getObject, headObject, listObjectsV1, listObjectsV2, putObject } from "./objects.js";
import { copyObject } from "./copy-object.js";
import { deleteObjects } from "./delete-objects.js";
import { listMultipartUploads } from "./list-uploads.js";
import { newRequestIds, s3ErrorResponse, type S3Response } from "./envelope.js";
import { S3Error, S3Errors } from "./errors.js";
import type { S3Operation } from "./operation.js";
import { payloadDeclarationError, payloadError } from "./payload-errors.js";
import { s3Target, type S3Target } from "./target.js";
import { bodyFailure, readXmlBody } from "./body.js";

export type S3App = (req: WireRequest, parsed: ParseResult) => Promise<S3Response>;

const S3_SCOPE = new Set(["s3"]);

/** The S3 answer to each way authentication fails (s3-spec §3.1). */
function s3AuthError(failure: AuthFailure, req: WireRequest, auth: SigV4Auth, payloadHash: string): S3Error {
  const token = auth.securityToken ?? "";
  switch (failure.reason) {
    case "unknown-key":
    // The troubleshooting page's "Invalid or Missing Session Token" row: an ASIA key without its token.
    case "missing-token":
      return S3Errors.invalidAccessKeyId(auth.accessKeyId);
    case "invalid-token":
    case "token-with-long-term-key":
      return S3Errors.invalidToken(token);
    case "expired-token":
      return S3Errors.expiredToken(token);
    case "signature":
    case "scope-date":
    case "request-time":
      return signatureDoesNotMatch(s3SignatureMismatchDetails(req, auth, payloadHash));
    case "scope-service":
    case "iam-without-mfa":
      return S3Errors.accessDenied();
    case "locked":
      return S3Errors.slowDown();
  }
}

function signatureDoesNotMatch(d: SignatureMismatchDetails): S3Error {
  return S3Errors.signatureDoesNotMatch([
    ["AWSAccessKeyId", d.awsAccessKeyId],
    ["StringToSign", d.stringToSign],
    ["SignatureProvided", d.signatureProvided],
    ["StringToSignBytes", d.stringToSignBytes],
    ["CanonicalRequest", d.canonicalRequest],
    ["CanonicalRequestBytes", d.canonicalRequestBytes],
  ]);
}

/** The request's time: ±15 minutes for the header form, X-Amz-Expires for a presigned URL (s3-spec §5.2). */
function checkTime(req: WireRequest, auth: SigV4Auth, now: number): void {
  if (auth.form === "header") {
    const time = checkS3RequestTime(auth, now);
    if (!time.ok) throw S3Errors.requestTimeTooSkewed(time.requestTime, time.serverTime);
    return;
  }
  const presigned = checkS3Presigned(req, auth, now);
  if (presigned.ok) return;
  if (presigned.kind === "authorizationQueryParametersError") throw new S3Error("AuthorizationQueryParametersError", 400, presigned.message);
  if (presigned.kind === "requestExpired") {
    throw new S3Error("AccessDenied", 403, "Request has expired", [
      ["X-Amz-Expires", presigned.xAmzExpires],
      ["Expires", presigned.expires],
      ["ServerTime", presigned.serverTime],
    ]);
  }
  throw new S3Error("AccessDenied", 403, "Request is not yet valid", [
    ["X-Amz-Date", presigned.xAmzDate],
    ["Expires", presigned.expires],
    ["ServerTime", presigned.serverTime],
  ]);
}

/** The operations that read the request's body through the payload checker themselves. */
const RECEIVES_BODY: ReadonlySet<S3Operation> = new Set([putObject, uploadPart]);

/** Each operation's name as CloudTrail names its events (audit trail, metrics). ListObjectsV2's is UNCONFIRMED. */
const OPERATION_NAMES = new Map<S3Operation, string>([
  [listBuckets, "ListBuckets"],
  [createBucket, "CreateBucket"],
  [headBucket, "HeadBucket"],
  [deleteBucket, "DeleteBucket"],
  [getBucketLocation, "GetBucketLocation"],
  [listObjectsV1, "ListObjects"],
  [listObjectsV2, "ListObjectsV2"],
  [listMultipartUploads, "ListMultipartUploads"],
  [deleteObjects, "DeleteObjects"],
  [putObject, "PutObject"],
  [copyObject, "CopyObject"],
  [getObject, "GetObject"],
  [headObject, "HeadObject"],
  [deleteObject, "DeleteObject"],
  [createMultipartUpload, "CreateMultipartUpload"],
  [uploadPart, "UploadPart"],
  [completeMultipartUpload, "CompleteMultipartUpload"],
  [abortMultipartUpload, "AbortMultipartUpload"],
  [listParts, "ListParts"],
]);

/** What an S3 request addressed, for its audit record; presigned-URL parameters (signature, token) left out. */
function addressOf(req: WireRequest, target: S3Target): S3Address {
  const query = [...target.query].filter(([name]) => !/^x-amz-/i.test(name));
  return { bucket: target.bucket, key: target.key, host: headerValue(req, "host"), query };
}

/** Bucket-level query parameters that are arguments of ListObjects, not sub-resources. */
const LIST_ARGUMENTS = new Set(["prefix", "delimiter", "max-keys", "list-type", "continuation-token", "start-after", "encoding-type", "marker", "fetch-owner"]);

/** Are the request's sub-resources among these (and the first of them present)? */
const only = (subresources: readonly string[], first: string, ...others: string[]): boolean =>
  subresources.includes(first) && subresources.every((k) => k === first || others.includes(k));

/** The operation for the request, or S3's refusal of what this server does not do. */
function route(req: WireRequest, target: S3Target): S3Operation {
  const method = req.method;
  const subresources = [...target.query.keys()].filter((k) => !LIST_ARGUMENTS.has(k) && !k.startsWith("x-amz-") && !k.startsWith("X-Amz-"));
  if (target.bucket === undefined) {
    if (method === "GET" && subresources.every((k) => ["max-buckets", "continuation-token", "prefix", "bucket-region"].includes(k))) return listBuckets;
    throw S3Errors.notImplemented();
  }
  if (target.key === undefined) {
    if (subresources.length === 0) {
      if (method === "PUT") return createBucket;
      if (method === "HEAD") return headBucket;
      if (method === "DELETE") return deleteBucket;
      if (method === "GET") return target.query.get("list-type") === "2" ? listObjectsV2 : listObjectsV1;
    }
    if (method === "GET" && only(subresources, "location")) return getBucketLocation;
    // (prefix, delimiter and encoding-type are among LIST_ARGUMENTS.)
    if (method === "GET" && only(subresources, "uploads", "key-marker", "upload-id-marker", "max-uploads")) return listMultipartUploads;
    if (method === "POST" && only(subresources, "delete")) return deleteObjects;
    throw S3Errors.notImplemented();
  }
  const copy = headerValue(req, "x-amz-copy-source") !== undefined;
  if (subresources.includes("uploadId")) {
    if (method === "PUT" && !copy && only(subresources, "uploadId", "partNumber")) return uploadPart;
    if (method === "POST" && only(subresources, "uploadId")) return completeMultipartUpload;
    if (method === "DELETE" && only(subresources, "uploadId")) return abortMultipartUpload;
    if (method === "GET" && only(subresources, "uploadId", "part-number-marker", "max-parts")) return listParts;
  }
  if (method === "POST" && only(subresources, "uploads")) return createMultipartUpload;
  if (subresources.length === 0) {
    if (method === "PUT") return copy ? copyObject : putObject;
    if (method === "GET") return getObject;
    if (method === "HEAD") return headObject;
    if (method === "DELETE") return deleteObject;
  }
  // UploadPartCopy, ACLs, tagging, versions and every other S3 API: not (yet) served here.
  throw S3Errors.notImplemented();
}

export function createS3App(deps: Deps, observe: RequestObserver = () => {}): S3App {
  return async function handle(req, parsed) {
    const ids = newRequestIds(deps.random);
    const started = deps.clock.now();
    let caller: Caller | undefined;
    let operation: S3Operation | undefined;
    let response: S3Response;
    let failure: { error: S3Error; cause: unknown } | undefined;
    try {
      if (/^AWS [^:\s]+:/.test(headerValue(req, "authorization") ?? "")) throw S3Errors.sigV2NotSupported();
      // No anonymous access: nothing here is public.
      if (parsed.kind === "none") throw S3Errors.accessDenied();
      if (parsed.kind === "error") throw S3Errors.authorizationHeaderMalformed();
      const auth = parsed.auth;
      const declared = s3Payload(req, auth);
      if (!declared.ok) throw payloadDeclarationError(declared.error);
      checkTime(req, auth, deps.clock.now());
      let secret = "";
      const check = (r: WireRequest, a: SigV4Auth, s: string): boolean => {
        secret = s;
        return verifyS3Signature(r, a, s, declared.payloadHash).ok;
      };
      caller = await verifyCaller(req, auth, deps, { check, services: S3_SCOPE, checkTime: false }).catch((e: unknown) => {
        throw e instanceof AuthFailure ? s3AuthError(e, req, auth, declared.payloadHash) : e;
      });
      // Every x-amz-* header must be signed, in either form. Recorded for presigned URLs only
      // (s3-spec §2.3, §3.1); for the header form UNCONFIRMED, following AWS's documentation of
      // SignedHeaders ("any x-amz-* headers that you plan to add to the request") and the
      // presigned pattern. Real signers (botocore, the SDKs, s3cmd, rclone) sign them all.
      const unsigned = s3UnsignedHeaders(req, auth);
      if (unsigned.length > 0) throw S3Errors.headersNotSigned(unsigned);
      const target = s3Target(req);
      operation = route(req, target);
      // The body must be what the signature covered: the operations that take an object's bytes
      // check them as they arrive (streamed, after their own checks, so that a refusal comes
      // before the client is told to send them); for the others the body, small and XML, is
      // read whole here (S3's size limit) and checked before they see it.
      const payload = s3PayloadReader(declared.payload, { auth, secret });
      let request = req;
      if (!RECEIVES_BODY.has(operation)) {
        const decoded = payload.write(await readXmlBody(req));
        const result = payload.end();
        if (!result.ok) throw payloadError(result.error);
        request = { ...req, body: Buffer.concat(decoded), stream: undefined };
      }
      response = await operation({ caller, auth, deps, req: request, target, ids, payload });
    } catch (e) {
      const error =
        e instanceof S3Error
          ? e
          : (bodyFailure(e) ?? (e instanceof StoreUnavailableError ? S3Errors.serviceUnavailable() : S3Errors.internalError()));
      if (error.status >= 500 && !(e instanceof S3Error)) deps.logger.error({ requestId: ids.requestId, err: e }, "S3 request failed");
      failure = { error, cause: e };
      response = s3ErrorResponse(ids, error, req.method);
    }
    // Told when answered (an object's bytes may still be streaming): the audit trail and the metrics.
    const signed = parsed.kind === "ok" ? parsed.auth : undefined;
    observe({
      service: "s3",
      operation: operation && OPERATION_NAMES.get(operation),
      askedFor: undefined,
      requestId: ids.requestId,
      startedAt: started,
      endedAt: deps.clock.now(),
      status: response.status,
      signature: signed && { accessKeyId: signed.accessKeyId, region: signed.region },
      caller,
      sourceIp: req.remoteAddress,
      userAgent: headerValue(req, "user-agent"),
      input: undefined,
      result: undefined,
      s3: signed && addressOf(req, s3Target(req)),
      error: failure && { code: failure.error.code, message: failure.error.message },
      storeUnavailable: failure?.cause instanceof StoreUnavailableError,
    });
    return response;
  };
}
