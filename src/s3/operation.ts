/**
 * An S3 operation: a plain function of (context) to a response. The context has the caller,
 * what the request addresses, the request itself (headers, body) and the deps.
 */
import { authorize } from "../auth/authorize.js";
import type { Deps } from "../deps.js";
import type { ContextValue } from "../policy/index.js";
import type { Caller } from "../principal.js";
import type { PayloadReader } from "../sigv4/payload.js";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import type { Bucket } from "../store/store.js";
import type { S3RequestIds, S3Response } from "./envelope.js";
import { S3Errors } from "./errors.js";
import type { S3Target } from "./target.js";

export interface S3Context {
  readonly caller: Caller;
  readonly auth: SigV4Auth;
  readonly deps: Deps;
  readonly req: WireRequest;
  readonly target: S3Target;
  readonly ids: S3RequestIds;
  /**
   * The body's checker, set up from x-amz-content-sha256: for a streamed body (an object
   * upload) the operation feeds it every piece and commits only when it ends ok.
   */
  readonly payload: PayloadReader;
}

export type S3Operation = (ctx: S3Context) => Promise<S3Response>;

export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/**
 * Authorizes an S3 action through the one policy engine (DESIGN decision 8) with the same request
 * context as IAM; a denial is S3's classic `Access Denied` (s3-spec §9.4: the newer same-account
 * wording's punctuation is UNCONFIRMED).
 */
export function authorizeS3(ctx: S3Context, action: string, resource: string, context?: Readonly<Record<string, ContextValue>>): Promise<void> {
  return authorize(ctx.caller, ctx.deps.store, { action, resource, shown: null, context }, () => S3Errors.accessDenied());
}

export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;

/** The bucket the request names, refused as S3 does when it does not exist or is another account's. */
export async function existingBucket(ctx: S3Context, name: string): Promise<Bucket> {
  const bucket = await ctx.deps.store.getBucket(name);
  // Another account's bucket is, to this caller, one they may not touch (S3: AccessDenied).
  if (bucket && bucket.accountId !== ctx.caller.principal.accountId) throw S3Errors.accessDenied();
  if (!bucket) throw S3Errors.noSuchBucket(name);
  return bucket;
}
