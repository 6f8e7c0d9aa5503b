/**
 * One audit record per request that reached authentication, in CloudTrail's record shape
 * (eventVersion 1.08), members in CloudTrail's order. A request without a SigV4 signature never
 * reached authentication and has none: there is no one to attribute it to.
 */
import type { ObservedRequest } from "./observed-request.js";
import { redactMessage } from "./redaction.js";
import { queryRequestParameters, s3RequestParameters, type Parameters } from "./request-parameters.js";
import { isReadOnly, responseElements } from "./response-elements.js";
import { isoSeconds } from "./time.js";
import { userIdentity, type UserIdentity } from "./user-identity.js";

export const EVENT_VERSION = "1.08";

export interface CloudTrailResource {
  readonly accountId?: string;
  readonly type: "AWS::S3::Object" | "AWS::S3::Bucket";
  readonly ARN: string;
}

export interface CloudTrailRecord {
  readonly eventVersion: typeof EVENT_VERSION;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Parameters | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly CloudTrailResource[];
  readonly eventType: "AwsApiCall";
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: "Management" | "Data";
}

/** What a record needs beyond the request: a fresh event id, and the account this endpoint serves. */
export interface RecordContext {
  readonly eventId: string;
  /** The recipient of a request whose caller is unknown (refused before a principal was found). */
  readonly endpointAccountId: string;
}

/** S3 calls on buckets (and the list of them) are management events; calls on objects are data events, as CloudTrail sorts them. */
const S3_MANAGEMENT: ReadonlySet<string> = new Set(["ListBuckets", "CreateBucket", "HeadBucket", "DeleteBucket", "GetBucketLocation"]);

/** A node peer address of an IPv4 client on a dual-stack socket (`::ffff:127.0.0.1`) as the IPv4 address CloudTrail shows. */
const sourceAddress = (ip: string | undefined): string => (ip === undefined ? "unknown" : ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1"));

function s3Resources(r: ObservedRequest, accountId: string): CloudTrailResource[] | undefined {
  const bucket = r.s3?.bucket;
  if (bucket === undefined) return undefined;
  const key = r.s3?.key;
  const bucketResource: CloudTrailResource = { accountId, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` };
  return key === undefined ? [bucketResource] : [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketResource];
}

export function cloudTrailRecord(r: ObservedRequest, context: RecordContext): CloudTrailRecord | undefined {
  if (r.signature === undefined) return undefined;
  const eventName = r.operation ?? r.askedFor ?? "";
  const recipientAccountId = r.caller?.principal.accountId ?? context.endpointAccountId;
  const isS3 = r.service === "s3";
  const management = !isS3 || S3_MANAGEMENT.has(eventName);
  const resources = isS3 ? s3Resources(r, recipientAccountId) : undefined;
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(r.caller, r.signature.accessKeyId),
    eventTime: isoSeconds(r.startedAt),
    eventSource: `${r.service}.amazonaws.com`,
    eventName,
    awsRegion: r.signature.region,
    sourceIPAddress: sourceAddress(r.sourceIp),
    userAgent: r.userAgent ?? "",
    ...(r.error === undefined ? {} : { errorCode: r.error.code, errorMessage: redactMessage(r.error.message) }),
    requestParameters: isS3 ? (r.s3 === undefined ? null : s3RequestParameters(r.s3)) : queryRequestParameters(r.input),
    responseElements: r.operation === undefined || r.error !== undefined ? null : responseElements(r.operation, r.result),
    requestID: r.requestId,
    eventID: context.eventId,
    readOnly: isReadOnly(eventName),
    ...(resources === undefined ? {} : { resources }),
    eventType: "AwsApiCall",
    managementEvent: management,
    recipientAccountId,
    eventCategory: management ? "Management" : "Data",
  };
}
