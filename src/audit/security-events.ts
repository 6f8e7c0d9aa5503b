/**
 * Security events that are not one request's own record: a lockout (issue 16 item 1: an MFA
 * device or a long-term access key refused for a while after too many failures). Each becomes an
 * audit record of CloudTrail's service-event kind (eventType "AwsServiceEvent", made by the service
 * rather than called by someone), a metric and a log line at warn — the lockout code calls
 * `deps.events?.lockout(…)` once, when the lock begins (not for the requests refused during it).
 *
 * The event names and `serviceEventDetails` are this server's own (AWS has no such lockout).
 */
import { EVENT_VERSION } from "./cloudtrail-record.js";
import { isoSeconds } from "./time.js";

export interface LockoutEvent {
  /** What was locked: an MFA device (by serial number) or a long-term access key (by id). */
  readonly kind: "mfa-device" | "access-key";
  readonly accountId: string;
  /** The device's serial number, or the access key id. */
  readonly subject: string;
  /** Its user; null for the root user; undefined when not known. */
  readonly userName?: string | null;
  /** Failures counted when it locked. */
  readonly failures: number;
  /** ms since the epoch, from the injected clock. */
  readonly lockedAt: number;
  readonly lockedUntil: number;
  /** The service of the request that locked it ("sts" or "iam"). */
  readonly service: string;
  readonly region?: string;
  /** The request that locked it. */
  readonly requestId?: string;
  readonly sourceIp?: string;
}

export interface SecurityEvents {
  lockout(event: LockoutEvent): void;
}

export const LOCKOUT_EVENT_NAMES = { "mfa-device": "MFADeviceLockout", "access-key": "AccessKeyLockout" } as const;

export interface ServiceEventRecord {
  readonly eventVersion: typeof EVENT_VERSION;
  readonly userIdentity: { readonly type: "AWSService"; readonly invokedBy: string };
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly requestParameters: null;
  readonly responseElements: null;
  readonly eventID: string;
  readonly readOnly: false;
  readonly eventType: "AwsServiceEvent";
  readonly managementEvent: true;
  readonly recipientAccountId: string;
  readonly serviceEventDetails: Record<string, unknown>;
  readonly eventCategory: "Management";
}

export function lockoutRecord(event: LockoutEvent, eventId: string): ServiceEventRecord {
  const source = `${event.service}.amazonaws.com`;
  const subject = event.kind === "mfa-device" ? { serialNumber: event.subject } : { accessKeyId: event.subject };
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: { type: "AWSService", invokedBy: source },
    eventTime: isoSeconds(event.lockedAt),
    eventSource: source,
    eventName: LOCKOUT_EVENT_NAMES[event.kind],
    awsRegion: event.region ?? "us-east-1",
    // CloudTrail's service events name the service here, not a client.
    sourceIPAddress: source,
    userAgent: source,
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly: false,
    eventType: "AwsServiceEvent",
    managementEvent: true,
    recipientAccountId: event.accountId,
    serviceEventDetails: {
      ...subject,
      ...(event.userName === undefined ? {} : { userName: event.userName }),
      failures: event.failures,
      lockedUntil: isoSeconds(event.lockedUntil),
      ...(event.requestId === undefined ? {} : { requestID: event.requestId }),
      ...(event.sourceIp === undefined ? {} : { clientSourceIPAddress: event.sourceIp.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") }),
    },
    eventCategory: "Management",
  };
}
