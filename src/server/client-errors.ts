/**
 * What to answer when node's HTTP parser refuses a request before (or while) the app has it:
 * bytes that are not HTTP, a head over node's size limit, a head that does not arrive in time,
 * broken chunked framing in a body. The answer speaks the envelope of the service the request
 * was for, as far as its bytes tell: S3's `<Error>` for an S3-shaped request (s3/target.ts
 * decides, as for any request), the Query envelope otherwise and when nothing tells (a head
 * that timed out: node keeps its partial bytes to itself).
 */
import { maxHeaderSize, STATUS_CODES } from "node:http";
import { AwsError } from "../errors.js";
import { errorDocument } from "../protocol/envelope.js";
import { STS } from "../protocol/operation.js";
import { newRequestIds, s3ErrorResponse } from "../s3/envelope.js";
import { S3Errors } from "../s3/errors.js";
import { isS3Shaped } from "../s3/target.js";
import type { WireRequest } from "../sigv4/types.js";
import type { Deps } from "../deps.js";
import { xmlResponse, type WireResponse } from "./app.js";

type ClientErrorDeps = Pick<Deps, "clock" | "random">;

/** A client too slow or silent, in the Query envelope. UNCONFIRMED for STS/IAM: S3's wording (s3/errors.ts). */
export const queryRequestTimeout = (): AwsError =>
  new AwsError(
    "RequestTimeout",
    400,
    "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.",
  );

/**
 * The request line and headers at the start of `packet`, when it starts with a request (the
 * bytes node was parsing when it gave up; a long head may have arrived in several packets, and
 * then the last one tells nothing).
 */
export function headFromPacket(packet: Buffer | undefined): WireRequest | undefined {
  if (packet === undefined) return undefined;
  const text = packet.toString("latin1");
  const line = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r?\n/.exec(text);
  if (!line) return undefined;
  const headers: [string, string][] = [];
  for (const l of text.slice(line[0].length).split(/\r?\n/)) {
    if (l === "") break;
    const colon = l.indexOf(":");
    if (colon > 0) headers.push([l.slice(0, colon), l.slice(colon + 1).trim()]);
  }
  const target = line[2]!;
  const q = target.indexOf("?");
  return {
    method: line[1]!,
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? "" : target.slice(q + 1),
    headers,
    body: new Uint8Array(),
  };
}

/** S3's word for what node refused (the s3/errors.ts entries say which texts are UNCONFIRMED). */
function s3Refusal(code: string | undefined) {
  if (code === "HPE_HEADER_OVERFLOW") return S3Errors.requestHeaderSectionTooLarge(maxHeaderSize);
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return S3Errors.requestTimeout();
  return S3Errors.badRequest();
}

/**
 * The answer to a request node refused, as raw bytes for the socket (there is no response object
 * for it). `head`: the request being read, when the adapter knows it (a body that broke its
 * framing); else what the refused bytes show.
 */
export function clientErrorBytes(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, head: WireRequest | undefined, deps: ClientErrorDeps): string {
  const request = head ?? headFromPacket(err.rawPacket);
  let response: WireResponse;
  if (request !== undefined && isS3Shaped(request)) {
    response = s3ErrorResponse(newRequestIds(deps.random), s3Refusal(err.code), request.method) as WireResponse;
  } else {
    // UNCONFIRMED: AWS's edge answers these with its own 400; we keep the Query envelope.
    const requestId = deps.random.uuid();
    const error = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? queryRequestTimeout() : new AwsError("MalformedHTTPRequest", 400, "The HTTP request is malformed.");
    response = xmlResponse(error.status, requestId, errorDocument(STS, error, requestId), deps.clock.now());
  }
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`, ...Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`), "Connection: close"];
  return `${lines.join("\r\n")}\r\n\r\n${typeof response.body === "string" ? response.body : ""}`;
}
