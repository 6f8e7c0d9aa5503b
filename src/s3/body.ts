/**
 * An S3 request's body as the HTTP adapter hands it over: a stream the operation pulls when it is
 * ready for the bytes (an object upload, after authentication and authorization: only then does
 * the client hear `100 Continue`), or, for the small XML bodies (CreateBucketConfiguration,
 * Delete, CompleteMultipartUpload), read whole here up to S3's limit.
 *
 * The stream reports the client's failures with the two errors below, which S3 names in its own
 * words (bodyFailure); the adapter, one layer up, throws them.
 */
import type { WireRequest } from "../sigv4/types.js";
import { headerValue } from "../sigv4/uri.js";
import { S3Error, S3Errors } from "./errors.js";

/** The client sent nothing for the idle period while the body was being read. */
export class BodyIdleTimeout extends Error {
  constructor() {
    super("no body bytes arrived within the idle timeout");
    this.name = "BodyIdleTimeout";
  }
}

/** The connection broke (or the framing failed) before the body ended. */
export class BodyAborted extends Error {
  constructor(cause?: unknown) {
    super("the request body ended before its end", { cause });
    this.name = "BodyAborted";
  }
}

/** S3's answer to a body the client failed to deliver, or undefined for any other error. */
export function bodyFailure(e: unknown): S3Error | undefined {
  if (e instanceof BodyIdleTimeout) return S3Errors.requestTimeout();
  if (e instanceof BodyAborted) return S3Errors.incompleteBody();
  return undefined;
}

/**
 * The largest XML request body taken: 10 MiB. CompleteMultipartUpload may list 10 000 parts and
 * each `<Part>` (ETag, PartNumber, a checksum or two) is far below 1 KiB, so 10 000 parts of a
 * full KiB each still fit; DeleteObjects' 1000 keys of 1024 bytes, even XML-escaped, do too.
 * AWS states no number; an over-limit body is MaxMessageLengthExceeded.
 */
export const MAX_XML_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The whole body of a request that is not an object upload, refused past `limit` as S3 does: a
 * declared Content-Length over it before a byte is read, a streamed one as soon as it passes it.
 */
export async function readXmlBody(req: WireRequest, limit: number = MAX_XML_BODY_BYTES): Promise<Uint8Array> {
  if (req.stream === undefined) {
    if (req.body.length > limit) throw S3Errors.maxMessageLengthExceeded();
    return req.body;
  }
  if (Number(headerValue(req, "content-length") ?? "0") > limit) throw S3Errors.maxMessageLengthExceeded();
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of req.stream) {
    size += piece.length;
    if (size > limit) throw S3Errors.maxMessageLengthExceeded();
    pieces.push(piece);
  }
  return Buffer.concat(pieces, size);
}
