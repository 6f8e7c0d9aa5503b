/**
 * The fuzz suite's requests as bytes: Query (STS, IAM) and S3 requests signed by AWS's own
 * signer (@smithy/signature-v4, S3's rules for S3) and laid out as raw HTTP/1.1, so that a
 * mutation may then change any byte, and a request may be built that no HTTP client would send.
 */
import { crc32 } from "node:zlib";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { NodeSha256 } from "../../src/client/node-sha256.js";
import { formEncode } from "../../src/client/sts-request.js";
import { sha256Hex } from "./s3-raw.js";
import type { Credentials } from "./server.js";

export interface Endpoint {
  host: string;
  port: number;
}

/** A request as bytes go on the wire, before they are joined. */
export interface RawRequest {
  method: string;
  /** The request target: path and query, as sent. */
  target: string;
  headers: [string, string][];
  body: Buffer;
}

export function serialize(req: RawRequest): Buffer {
  const head = [`${req.method} ${req.target} HTTP/1.1`, ...req.headers.map(([k, v]) => `${k}: ${v}`)].join("\r\n");
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), req.body]);
}

/** RFC 3986 encoding, as SigV4 canonicalizes a query. */
export const rfc3986 = (text: string): string =>
  encodeURIComponent(text.toWellFormed()).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** encodeURIComponent that does not throw on a lone surrogate (it goes as U+FFFD, as a browser would send it). */
export const safeFormEncode = (text: string): string => formEncode(text.toWellFormed());

const signers = new Map<string, SignatureV4>();
function signerFor(creds: Credentials, service: string, s3: boolean): SignatureV4 {
  const id = `${creds.accessKeyId}\0${creds.sessionToken ?? ""}\0${service}\0${s3}`;
  let signer = signers.get(id);
  if (!signer) {
    signer = new SignatureV4({
      credentials: creds,
      region: "us-east-1",
      service,
      sha256: NodeSha256,
      applyChecksum: false,
      ...(s3 && { uriEscapePath: false }),
    });
    signers.set(id, signer);
  }
  return signer;
}

export interface SignOptions {
  /** Unsigned when absent (an anonymous request). */
  creds?: Credentials;
  /** The credential scope's service (a Query request may be signed for another than its own). */
  service: string;
  signingDate?: Date;
}

async function sign(request: HttpRequest, options: SignOptions, s3: boolean): Promise<Record<string, string>> {
  if (options.creds === undefined) return request.headers;
  const signed = await signerFor(options.creds, options.service, s3).sign(request, { signingDate: options.signingDate });
  return signed.headers;
}

function queryString(query: Record<string, string | string[]>): string {
  return Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${rfc3986(k)}=${rfc3986(one)}`))
    .join("&");
}

export interface QueryRequest {
  method: "POST" | "GET";
  /** POST: the form body exactly as sent (it may be malformed on purpose). */
  body?: Buffer;
  /** GET: the parameters (names may repeat through arrays). */
  query?: Record<string, string | string[]>;
  contentType?: string;
  /** Frame the body as Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

/** The form body of decoded parameters, botocore's encoding. */
export function formBody(pairs: readonly (readonly [string, string])[]): Buffer {
  return Buffer.from(pairs.map(([k, v]) => `${safeFormEncode(k)}=${safeFormEncode(v)}`).join("&"), "latin1");
}

/** Splits a body into chunks of Transfer-Encoding: chunked framing (the last one empty). */
export function chunkedFrame(body: Buffer, pieces: number): Buffer {
  const size = Math.max(1, Math.ceil(body.length / Math.max(1, pieces)));
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const chunk = body.subarray(at, at + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

export async function signQuery(endpoint: Endpoint, req: QueryRequest, options: SignOptions): Promise<RawRequest> {
  const host = `${endpoint.host}:${endpoint.port}`;
  const body = req.method === "POST" ? (req.body ?? Buffer.alloc(0)) : Buffer.alloc(0);
  const headers: Record<string, string> = { host };
  if (req.contentType !== undefined) headers["content-type"] = req.contentType;
  if (!req.chunked && (req.method === "POST" || body.length > 0)) headers["content-length"] = String(body.length);
  const signed = await sign(
    { method: req.method, protocol: "http:", hostname: endpoint.host, port: endpoint.port, path: "/", query: req.query ?? {}, headers, body },
    options,
    false,
  );
  const qs = queryString(req.query ?? {});
  const wireHeaders = Object.entries(signed);
  if (req.chunked) wireHeaders.push(["transfer-encoding", "chunked"]);
  return { method: req.method, target: `/${qs ? `?${qs}` : ""}`, headers: wireHeaders, body: req.chunked ? chunkedFrame(body, 3) : body };
}

/** How an S3 request's body is declared: its SHA-256, UNSIGNED-PAYLOAD, or aws-chunked with a CRC32 trailer. */
export type S3PayloadMode = "sha256" | "unsigned" | "chunked-trailer";

export interface S3Request {
  method: string;
  /** The path as sent (already percent-encoded). */
  path: string;
  query?: Record<string, string | string[]>;
  /** Signed headers. */
  headers?: Record<string, string>;
  body?: Buffer;
  payload?: S3PayloadMode;
}

/** STREAMING-UNSIGNED-PAYLOAD-TRAILER framing of `data`, as botocore sends uploads over HTTPS. */
function awsChunkedWithTrailer(data: Buffer): Buffer {
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32BE(crc32(data));
  const parts = [];
  if (data.length > 0) parts.push(Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n"));
  parts.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${checksum.toString("base64")}\r\n\r\n`));
  return Buffer.concat(parts);
}

export async function signS3(endpoint: Endpoint, req: S3Request, options: SignOptions): Promise<RawRequest> {
  const host = `${endpoint.host}:${endpoint.port}`;
  const data = req.body ?? Buffer.alloc(0);
  const mode = req.payload ?? "sha256";
  const body = mode === "chunked-trailer" ? awsChunkedWithTrailer(data) : data;
  const headers: Record<string, string> = {
    host,
    "x-amz-content-sha256": mode === "sha256" ? sha256Hex(data) : mode === "unsigned" ? "UNSIGNED-PAYLOAD" : "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    ...(mode === "chunked-trailer" && {
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
    }),
    ...((body.length > 0 || ["PUT", "POST"].includes(req.method)) && { "content-length": String(body.length) }),
    ...req.headers,
  };
  const signed = await sign(
    { method: req.method, protocol: "http:", hostname: endpoint.host, port: endpoint.port, path: req.path, query: req.query ?? {}, headers },
    options,
    true,
  );
  const qs = queryString(req.query ?? {});
  return { method: req.method, target: `${req.path}${qs ? `?${qs}` : ""}`, headers: Object.entries(signed), body };
}
