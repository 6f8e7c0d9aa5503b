/**
 * Which requests are S3's, and what they address (s3-spec §1.1, DESIGN decision 6): a request
 * signed for the `s3` scope, or — unsigned or signed the old way — one that is not a Query
 * protocol request (those are `POST /` with a form, or `/?Action=…`). Buckets are addressed
 * path-style (`/bucket/key`, what every client sends to a custom endpoint) or virtual-hosted
 * (`bucket.localhost:PORT`). s3cmd's trailing slash (`PUT /bucket/`) names the bucket, and
 * rclone's `?uploads=` is `?uploads`.
 */
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { parseSigV4 } from "../sigv4/parse.js";
import { headerValue, percentDecode, splitQuery } from "../sigv4/uri.js";

export interface S3Target {
  /** undefined: the service itself (`GET /` is ListBuckets). */
  readonly bucket: string | undefined;
  /** undefined: the bucket itself. */
  readonly key: string | undefined;
  /** Query parameters, decoded; sub-resources (`?location`) map to "". */
  readonly query: ReadonlyMap<string, string>;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const decode = (wire: string, plusAsSpace: boolean): string => utf8.decode(percentDecode(wire, plusAsSpace));

/** Is this an S3 request rather than an STS/IAM one? `auth`: its SigV4 parameters, when it has any. */
export function isS3Request(req: WireRequest, auth: SigV4Auth | undefined): boolean {
  if (auth !== undefined) return auth.service === "s3";
  // S3's old signature (s3cmd's fallback): `Authorization: AWS key:signature`.
  if (/^AWS [^:\s]+:/.test(headerValue(req, "authorization") ?? "")) return true;
  if (req.rawPath !== "/") return true;
  if (req.method === "POST") return false; // a Query form, signed or not
  return !/(^|&)Action=/.test(req.rawQuery); // GET / is ListBuckets; GET /?Action=… is Query
}

/** The bucket of a virtual-hosted request (`bucket.localhost:4599`), if it is one. */
function virtualHostBucket(req: WireRequest): string | undefined {
  const host = headerValue(req, "host")?.toLowerCase();
  const m = host === undefined ? null : /^(.+)\.localhost(?::\d+)?$/.exec(host);
  return m?.[1];
}

export function s3Target(req: WireRequest): S3Target {
  const query = new Map<string, string>();
  for (const pair of splitQuery(req.rawQuery)) query.set(decode(pair.name, true), decode(pair.value, true));
  const path = req.rawPath.startsWith("/") ? req.rawPath.slice(1) : req.rawPath;
  const hosted = virtualHostBucket(req);
  if (hosted !== undefined) return { bucket: hosted, key: path === "" ? undefined : decode(path, false), query };
  if (path === "") return { bucket: undefined, key: undefined, query };
  const slash = path.indexOf("/");
  if (slash < 0) return { bucket: decode(path, false), key: undefined, query };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash), false), key: key === "" ? undefined : decode(key, false), query };
}

/**
 * Is this S3's request, judged from its head alone (as the server's app will judge it)? The HTTP
 * adapter asks, for a request with a body, before reading any of it: S3 takes its bodies as a
 * stream, to read after authentication (object uploads: never whole in memory).
 */
export function isS3Shaped(req: WireRequest): boolean {
  const parsed = parseSigV4(req);
  return isS3Request(req, parsed.kind === "ok" ? parsed.auth : undefined);
}
