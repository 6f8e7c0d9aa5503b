/**
 * S3 on the shared port (DESIGN decision 6): authentication in S3's words, the route from method
 * and address to an operation, and S3's envelope for every answer. Anything S3 has that this
 * server does not is `NotImplemented` in S3's envelope, never a 500.
 */
import { AuthFailure, verifyCaller } from "../auth/authenticate.js";
import type { Deps } from "../deps.js";
import { sha256Hex } from "../sigv4/index.js";
import type { ParseResult } from "../sigv4/parse.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { StoreUnavailableError } from "../store/store.js";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets.js";
import { newRequestIds, s3ErrorResponse, type S3Response } from "./envelope.js";
import { S3Error, S3Errors } from "./errors.js";
import type { S3Operation } from "./operation.js";
import { checkS3Signature, s3PayloadLine, signatureMismatchDetails } from "./signature.js";
import { s3Target, type S3Target } from "./target.js";

export type S3App = (req: WireRequest, parsed: ParseResult) => Promise<S3Response>;

const S3_SCOPE = new Set(["s3"]);

/** The S3 answer to each way authentication fails (s3-spec §3.1). */
function s3AuthError(failure: AuthFailure, req: WireRequest, auth: SigV4Auth, now: number): S3Error {
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
    case "request-time":
      return S3Errors.requestTimeTooSkewed(auth.amzDate, new Date(Math.floor(now / 1000) * 1000).toISOString().replace(".000Z", "Z"));
    case "signature":
    case "scope-date":
      return S3Errors.signatureDoesNotMatch(signatureMismatchDetails(req, auth));
    case "scope-service":
    case "iam-without-mfa":
      return S3Errors.accessDenied();
  }
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const PAYLOAD_KINDS = new Set([
  "UNSIGNED-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
]);

/** S3 requires x-amz-content-sha256 on header-signed requests, and one of its known forms (s3-spec §5.1). */
function checkContentSha256(req: WireRequest, auth: SigV4Auth): string {
  const declared = s3PayloadLine(req, auth);
  if (declared === "") throw S3Errors.missingContentSha256();
  if (!HEX_SHA256.test(declared) && !PAYLOAD_KINDS.has(declared)) throw S3Errors.invalidContentSha256();
  return declared;
}

/** Bucket-level query parameters that are arguments of ListObjects, not sub-resources. */
const LIST_ARGUMENTS = new Set(["prefix", "delimiter", "max-keys", "list-type", "continuation-token", "start-after", "encoding-type", "marker", "fetch-owner"]);

/** The operation for the request, or S3's refusal of what this server does not do. */
function route(method: string, target: S3Target): S3Operation {
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
    }
    if (method === "GET" && subresources.length === 1 && subresources[0] === "location") return getBucketLocation;
  }
  // Objects, listings, multipart and every other S3 API: not (yet) served here.
  throw S3Errors.notImplemented();
}

export function createS3App(deps: Deps): S3App {
  return async function handle(req, parsed) {
    const ids = newRequestIds(deps.random);
    try {
      if (/^AWS [^:\s]+:/.test(req.headers.find(([k]) => k.toLowerCase() === "authorization")?.[1] ?? "")) throw S3Errors.sigV2NotSupported();
      // No anonymous access: nothing here is public.
      if (parsed.kind === "none") throw S3Errors.accessDenied();
      if (parsed.kind === "error") throw S3Errors.authorizationHeaderMalformed();
      const auth = parsed.auth;
      const now = deps.clock.now();
      const declared = checkContentSha256(req, auth);
      const caller = await verifyCaller(req, auth, deps, checkS3Signature, S3_SCOPE).catch((e: unknown) => {
        throw e instanceof AuthFailure ? s3AuthError(e, req, auth, now) : e;
      });
      // The body must be what the signature covered. No operation served yet takes an aws-chunked
      // (STREAMING-…) body, whose chunks would need checking as they arrive: refused, not trusted.
      if (declared.startsWith("STREAMING-")) throw S3Errors.notImplemented();
      if (HEX_SHA256.test(declared)) {
        const computed = sha256Hex(req.body);
        if (computed !== declared.toLowerCase()) throw S3Errors.contentSha256Mismatch(declared, computed);
      }
      const target = s3Target(req);
      const operation = route(req.method, target);
      return await operation({ caller, auth, deps, req, target, ids });
    } catch (e) {
      const error = e instanceof S3Error ? e : e instanceof StoreUnavailableError ? S3Errors.serviceUnavailable() : S3Errors.internalError();
      if (error.status >= 500 && !(e instanceof S3Error)) deps.logger.error({ requestId: ids.requestId, err: e }, "S3 request failed");
      return s3ErrorResponse(ids, error, req.method);
    }
  };
}
