/**
 * S3's REST-XML on the wire (s3-spec §1, §2): every response carries `x-amz-request-id` (16
 * upper-case characters) and `x-amz-id-2`; documents are the XML declaration, one LF, then the
 * document on one line with no trailing newline; an error is `<Error>` with Code, Message, the
 * error's own elements, RequestId and HostId; an error to a HEAD request is its status alone.
 */
import type { Readable } from "node:stream";
import type { Random } from "../ids.js";
import { compactElements, type XmlObject } from "../protocol/xml.js";
import type { S3Error } from "./errors.js";

export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  /** A Readable for an object's bytes. */
  body: string | Buffer | Readable;
}

/** The two ids S3 answers with: a 16-character request id and its base64 host id. */
export interface S3RequestIds {
  readonly requestId: string;
  readonly hostId: string;
}

const ID_ALPHABET = "0123456789ABCDEF";

export function newRequestIds(random: Random): S3RequestIds {
  const bytes = random.bytes(8 + 48);
  let requestId = "";
  for (let i = 0; i < 8; i++) requestId += ID_ALPHABET[bytes[i]! >> 4]! + ID_ALPHABET[bytes[i]! & 15]!;
  return { requestId, hostId: bytes.subarray(8).toString("base64") };
}

/**
 * Element text as S3 writes it: `&`, `<` and `>` escaped, quotes left as they are (raw captures
 * show `The provided 'x-amz-content-sha256' header …`).
 */
const escapeText = (text: string): string => text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));

const idHeaders = (ids: S3RequestIds): Record<string, string> => ({ "x-amz-request-id": ids.requestId, "x-amz-id-2": ids.hostId });

/** A document `<root xmlns="…">…</root>`. */
export function s3Document(root: string, content: XmlObject, namespace: boolean = true): string {
  return `${DECLARATION}<${root}${namespace ? ` xmlns="${S3_NAMESPACE}"` : ""}>${compactElements(content)}</${root}>`;
}

/** A 200 (or other) answer with an XML document, or with no body. */
export function s3Response(ids: S3RequestIds, status: number, body: string = "", headers: Record<string, string> = {}): S3Response {
  const withBody: Record<string, string> = body === "" ? {} : { "Content-Type": "application/xml" };
  return { status, headers: { ...idHeaders(ids), ...withBody, ...headers, "Content-Length": String(Buffer.byteLength(body)) }, body };
}

/** The error document, or for HEAD the status alone (botocore then reports the status as the code). */
export function s3ErrorResponse(ids: S3RequestIds, error: S3Error, method: string): S3Response {
  if (method === "HEAD") return { status: error.status, headers: { ...idHeaders(ids), "Content-Length": "0" }, body: "" };
  let body = `${DECLARATION}<Error><Code>${error.code}</Code><Message>${escapeText(error.message)}</Message>`;
  for (const [name, value] of error.extra) body += `<${name}>${escapeText(value)}</${name}>`;
  body += `<RequestId>${ids.requestId}</RequestId><HostId>${ids.hostId}</HostId></Error>`;
  return {
    status: error.status,
    headers: { ...idHeaders(ids), "Content-Type": "application/xml", "Content-Length": String(Buffer.byteLength(body)) },
    body,
  };
}
