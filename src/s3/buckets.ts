/**
 * Bucket operations (s3-spec §8.1–8.5): ListBuckets, CreateBucket, HeadBucket,
 * GetBucketLocation, DeleteBucket. Buckets belong to an account; their names are one namespace
 * for every account, as on S3.
 */
import { createHash } from "node:crypto";
import { XmlList } from "../protocol/xml.js";
import type { Bucket } from "../store/store.js";
import { isValidBucketName } from "./bucket-names.js";
import { s3Document, s3Response, S3_NAMESPACE } from "./envelope.js";
import { S3Errors } from "./errors.js";
import { authorizeS3, bucketArn, existingBucket, type S3Operation } from "./operation.js";
import { element, xmlBody, xmlText } from "./xml-input.js";

/** S3 timestamps in XML: ISO 8601 with milliseconds (s3-spec §1). */
const isoMillis = (date: Date): string => date.toISOString();

/** The account's canonical user id as S3 shows it (64 hex characters): derived, stable, not secret. */
export const canonicalUserId = (accountId: string): string => createHash("sha256").update(`mfa-sts canonical user ${accountId}`).digest("hex");

const US_EAST_1 = "us-east-1";
const MAX_BUCKETS_PAGE = 10_000;

export const listBuckets: S3Operation = async (ctx) => {
  await authorizeS3(ctx, "s3:ListAllMyBuckets", "*");
  const { query } = ctx.target;
  const accountId = ctx.caller.principal.accountId;
  const maxBuckets = query.get("max-buckets");
  let limit = MAX_BUCKETS_PAGE;
  if (maxBuckets !== undefined) {
    const n = Number(maxBuckets);
    if (!/^\d+$/.test(maxBuckets) || n < 1 || n > MAX_BUCKETS_PAGE) {
      // UNCONFIRMED text: S3's pattern for an out-of-range integer argument.
      throw S3Errors.invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", maxBuckets);
    }
    limit = n;
  }
  const token = query.get("continuation-token");
  const after = token === undefined ? undefined : Buffer.from(token, "base64url").toString("utf8");
  const prefix = query.get("prefix");
  const page = await ctx.deps.store.listBuckets(accountId, { prefix, after, limit });
  const body = s3Document("ListAllMyBucketsResult", {
    Buckets: new XmlList(
      page.items.map((b) => ({ Name: b.name, CreationDate: isoMillis(b.createdAt), BucketRegion: b.region, BucketArn: bucketArn(b.name) })),
      "Bucket",
    ),
    Owner: { ID: canonicalUserId(accountId) },
    ContinuationToken: page.next === undefined ? undefined : Buffer.from(page.next, "utf8").toString("base64url"),
    Prefix: prefix,
  });
  return s3Response(ctx.ids, 200, body);
};

/** The region a CreateBucket asks for, by S3's rules for the endpoint's region (s3-spec §8.2). */
function bucketRegion(endpointRegion: string, constraint: string | undefined): string {
  const asked = constraint === "EU" ? "eu-west-1" : constraint;
  if (endpointRegion === US_EAST_1) {
    // The global endpoint takes any region's constraint, but us-east-1 itself is named by none.
    if (constraint === US_EAST_1) throw S3Errors.invalidLocationConstraint(constraint);
    return asked ?? US_EAST_1;
  }
  if (constraint === undefined || asked !== endpointRegion) throw S3Errors.illegalLocationConstraint(constraint);
  return endpointRegion;
}

/** `<CreateBucketConfiguration><LocationConstraint>R</LocationConstraint></CreateBucketConfiguration>`, if sent. */
function locationConstraint(body: Uint8Array): string | undefined {
  if (Buffer.from(body).toString("utf8").trim() === "") return undefined;
  const constraint = element(xmlBody(body, "CreateBucketConfiguration"), "LocationConstraint");
  return constraint === undefined || constraint === "" ? undefined : xmlText(constraint);
}

export const createBucket: S3Operation = async (ctx) => {
  const name = ctx.target.bucket!;
  if (!isValidBucketName(name)) throw S3Errors.invalidBucketName(name);
  await authorizeS3(ctx, "s3:CreateBucket", bucketArn(name));
  const region = bucketRegion(ctx.auth.region, locationConstraint(ctx.req.body));
  const bucket: Bucket = { name, accountId: ctx.caller.principal.accountId, region, createdAt: new Date(ctx.deps.clock.now()) };
  const result = await ctx.deps.store.createBucket(bucket);
  if (result === "taken") throw S3Errors.bucketAlreadyExists(name);
  // In us-east-1 re-creating your own bucket is a 200 that changes nothing (s3-spec §8.2).
  if (result === "owned" && region !== US_EAST_1) throw S3Errors.bucketAlreadyOwnedByYou(name);
  return s3Response(ctx.ids, 200, "", { Location: `/${name}`, "x-amz-bucket-arn": bucketArn(name) });
};

export const headBucket: S3Operation = async (ctx) => {
  const name = ctx.target.bucket!;
  await authorizeS3(ctx, "s3:ListBucket", bucketArn(name));
  const bucket = await existingBucket(ctx, name);
  return s3Response(ctx.ids, 200, "", {
    "x-amz-bucket-region": bucket.region,
    "x-amz-bucket-arn": bucketArn(name),
    "x-amz-access-point-alias": "false",
    "Content-Type": "application/xml",
  });
};

export const getBucketLocation: S3Operation = async (ctx) => {
  const name = ctx.target.bucket!;
  await authorizeS3(ctx, "s3:GetBucketLocation", bucketArn(name));
  const bucket = await existingBucket(ctx, name);
  // "Buckets in Region us-east-1 have a LocationConstraint of null": an empty element.
  const body =
    bucket.region === US_EAST_1
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}"/>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${bucket.region}</LocationConstraint>`;
  return s3Response(ctx.ids, 200, body);
};

export const deleteBucket: S3Operation = async (ctx) => {
  const name = ctx.target.bucket!;
  await authorizeS3(ctx, "s3:DeleteBucket", bucketArn(name));
  await existingBucket(ctx, name);
  const result = await ctx.deps.store.deleteBucket(ctx.caller.principal.accountId, name);
  if (result === "not-found") throw S3Errors.noSuchBucket(name);
  if (result === "not-empty") throw S3Errors.bucketNotEmpty(name);
  return s3Response(ctx.ids, 204);
};
