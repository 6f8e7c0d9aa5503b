/**
 * Checking an S3 body against what the signed request said about it, as the body streams
 * (s3-spec §5.1, §6): one interface, three readers.
 *
 * - a declared hex SHA-256: the bytes pass through and are hashed; end() compares;
 * - UNSIGNED-PAYLOAD: the bytes pass through;
 * - aws-chunked (STREAMING-…): the framing is decoded, chunk and trailer signatures and trailer
 *   checksums verified (chunked.ts).
 *
 * The bytes a reader returns are NOT yet verified: a caller writes them somewhere temporary and
 * commits only when end() answers ok. Nothing here buffers a body.
 */
import { createHash, type Hash } from "node:crypto";
import type { ChecksumAlgorithm } from "./checksums.js";
import type { SigV4Auth } from "./types.js";
import type { S3Payload } from "./s3.js";
import { AwsChunkedDecoder, type AwsChunkedError } from "./chunked.js";

/** A trailer as received: lower-case name, value with surrounding blanks removed. */
export interface Trailer {
  name: string;
  value: string;
}

/** A trailer checksum that matched the decoded payload: what S3 echoes and stores. */
export interface VerifiedChecksum {
  algorithm: ChecksumAlgorithm;
  /** `x-amz-checksum-crc32c` etc. */
  header: string;
  /** Base64, as sent. */
  value: string;
}

export type PayloadError =
  /**
   * The body does not hash to the declared x-amz-content-sha256: S3's 400
   * XAmzContentSHA256Mismatch, elements ClientComputedContentSHA256 (the declared value, as
   * sent) then S3ComputedContentSHA256 (lower-case hex of what arrived) (s3-spec §2.3, §3.1).
   */
  | { kind: "contentSha256Mismatch"; clientComputedContentSHA256: string; s3ComputedContentSHA256: string }
  | AwsChunkedError;

export type PayloadResult =
  | {
      ok: true;
      /** Payload bytes returned by write() in total (decoded bytes for aws-chunked). */
      length: number;
      /** aws-chunked trailers other than x-amz-trailer-signature, in arrival order. */
      trailers: Trailer[];
      /** Trailer checksums verified against the payload (empty unless aws-chunked with trailers). */
      checksums: VerifiedChecksum[];
    }
  | { ok: false; error: PayloadError };

/**
 * Feed the body's pieces in order, in any split; each write returns the payload bytes in it
 * (subarrays of the piece where possible: consume them before the piece is reused). An error
 * is sticky: once `error` is set, write returns nothing more and end() returns it. end() tells
 * whether the whole body was what the request promised.
 */
export interface PayloadReader {
  write(piece: Uint8Array): Uint8Array[];
  readonly error: PayloadError | undefined;
  end(): PayloadResult;
}

/** UNSIGNED-PAYLOAD: nothing to check; counts the bytes. */
export class UnsignedPayloadReader implements PayloadReader {
  private length = 0;
  readonly error: PayloadError | undefined = undefined;
  write(piece: Uint8Array): Uint8Array[] {
    this.length += piece.length;
    return piece.length === 0 ? [] : [piece];
  }
  end(): PayloadResult {
    return { ok: true, length: this.length, trailers: [], checksums: [] };
  }
}

/** A declared hex SHA-256 (x-amz-content-sha256): incremental hash, compared at the end. */
export class ContentSha256Checker implements PayloadReader {
  private readonly hash: Hash = createHash("sha256");
  private length = 0;
  private result: PayloadResult | undefined;
  /** `declared`: the x-amz-content-sha256 value as sent (64 hex digits, either case). */
  constructor(private readonly declared: string) {}
  get error(): PayloadError | undefined {
    return this.result !== undefined && !this.result.ok ? this.result.error : undefined;
  }
  write(piece: Uint8Array): Uint8Array[] {
    if (this.result !== undefined) return [];
    this.hash.update(piece);
    this.length += piece.length;
    return piece.length === 0 ? [] : [piece];
  }
  end(): PayloadResult {
    if (this.result !== undefined) return this.result;
    const computed = this.hash.digest("hex");
    this.result =
      computed === this.declared.toLowerCase()
        ? { ok: true, length: this.length, trailers: [], checksums: [] }
        : {
            ok: false,
            error: {
              kind: "contentSha256Mismatch",
              clientComputedContentSHA256: this.declared,
              s3ComputedContentSHA256: computed,
            },
          };
    return this.result;
  }
}

export interface S3PayloadReaderOptions {
  /** Smallest size of a chunk that is not the last one (aws-chunked); default 8192, 0 to allow any. */
  minChunkSize?: number;
  /** Verify trailer checksums against the payload (aws-chunked); default true. */
  verifyChecksums?: boolean;
}

/**
 * The reader for a request's payload, as s3Payload described it. The signed streaming modes
 * need the request's auth (its verified signature seeds the chunk chain) and the secret: call
 * this only after verifyS3Signature succeeded.
 */
export function s3PayloadReader(
  payload: S3Payload,
  signing?: { auth: SigV4Auth; secret: string },
  options: S3PayloadReaderOptions = {},
): PayloadReader {
  switch (payload.kind) {
    case "unsigned":
      return new UnsignedPayloadReader();
    case "sha256":
      return new ContentSha256Checker(payload.hash);
    case "streaming":
      return new AwsChunkedDecoder({
        mode: payload.mode,
        ...(signing !== undefined ? { signing } : {}),
        ...(payload.decodedContentLength !== undefined ? { decodedContentLength: payload.decodedContentLength } : {}),
        trailerNames: payload.trailerNames,
        ...options,
      });
  }
}
