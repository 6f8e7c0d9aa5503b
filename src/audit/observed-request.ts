/**
 * What the server saw of one request, told once, when it has been answered: the audit trail
 * (audit/cloudtrail-record.ts) and the metrics (metrics/server-metrics.ts) are both made from it.
 * The Query app (server/app.ts) and the S3 app (s3/app.ts) each make one per request.
 *
 * It carries no header, no body and no signature: only what an audit record or a metric may
 * hold. The validated input and the operation's result do hold secrets (TokenCode, a new
 * SecretAccessKey, a session token); the audit record is where they are left out.
 */
import type { Caller } from "../principal.js";
import type { Input } from "../protocol/shapes.js";
import type { XmlObject } from "../protocol/xml.js";

/** Where an S3 request pointed (CloudTrail's requestParameters for S3 are made of these). */
export interface S3Address {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly host: string | undefined;
  /** The query parameters as sent, without the presigned-URL ones (X-Amz-*: they hold the signature and the token). */
  readonly query: readonly (readonly [string, string])[];
}

export interface ObservedRequest {
  /** The service that answered: "sts", "iam" or "s3". */
  readonly service: string;
  /** The operation's name when the request named one this server has; undefined otherwise. */
  readonly operation: string | undefined;
  /** What the request asked for when it is not an operation of this server (an unknown Action). */
  readonly askedFor: string | undefined;
  /** The id the response carries (x-amzn-RequestId, or S3's x-amz-request-id). */
  readonly requestId: string;
  /** ms since the epoch, from the injected clock. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number;
  /**
   * The request's SigV4 signature, when it had one that parsed: it then reached authentication
   * and belongs in the audit trail, whether or not it passed.
   */
  readonly signature: { readonly accessKeyId: string; readonly region: string } | undefined;
  /** Who called, once authentication passed. */
  readonly caller: Caller | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  /** Query operations: the input as validated (undefined when the request failed before). */
  readonly input: Input | undefined;
  /** Query operations: the result element's content, on success. */
  readonly result: XmlObject | undefined;
  /** S3 operations: what the request addressed. */
  readonly s3: S3Address | undefined;
  /** The AWS error the request was answered with. */
  readonly error: { readonly code: string; readonly message: string } | undefined;
  /** The store could not be reached (the answer was a 503). */
  readonly storeUnavailable: boolean;
}

/** Told of every request once it is answered. Must not throw (the apps guard it anyway). */
export type RequestObserver = (request: ObservedRequest) => void;

/** Tells every observer, each guarded: an audit or metrics bug never fails a request. */
export function observeAll(observers: readonly RequestObserver[], onError: (e: unknown) => void): RequestObserver {
  return (request) => {
    for (const observe of observers) {
      try {
        observe(request);
      } catch (e) {
        onError(e);
      }
    }
  };
}
