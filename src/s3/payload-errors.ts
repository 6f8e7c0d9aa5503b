/**
 * What S3 answers when a body is not what the signed request said (s3-spec §2.3, §3, §6): the
 * sigv4/ readers report kinds, this names them in S3's words.
 */
import type { PayloadError } from "../sigv4/payload.js";
import type { S3PayloadError } from "../sigv4/s3.js";
import { S3Error, S3Errors } from "./errors.js";

export function payloadDeclarationError(error: S3PayloadError): S3Error {
  switch (error.kind) {
    case "missingContentSha256":
      return S3Errors.missingContentSha256();
    case "invalidContentSha256":
      return S3Errors.invalidContentSha256();
    case "invalidDecodedContentLength":
      // UNCONFIRMED: S3's InvalidArgument pattern for a header that is not a number.
      return S3Errors.invalidArgument("x-amz-decoded-content-length must be a number", "x-amz-decoded-content-length", error.value);
  }
}

export function payloadError(error: PayloadError): S3Error {
  switch (error.kind) {
    case "contentSha256Mismatch":
      return S3Errors.contentSha256Mismatch(error.clientComputedContentSHA256, error.s3ComputedContentSHA256);
    case "malformedEncoding":
    case "incompleteBody":
    case "decodedLengthMismatch":
      return S3Errors.incompleteBody();
    case "chunkTooSmall":
      // Status UNCONFIRMED (s3-spec §3.2).
      return new S3Error("InvalidChunkSizeError", 403, "Only the last chunk is allowed to have a size less than 8192 bytes", [
        ["Chunk", String(error.chunk)],
        ["BadChunkSize", String(error.badChunkSize)],
      ]);
    case "chunkSignatureMismatch":
    case "trailerSignatureMismatch":
      // AWS's answer to a bad chunk signature is UNCONFIRMED; MinIO's, and a bad seed's, is this.
      return new S3Error(
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      );
    case "malformedTrailer":
      return new S3Error("MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.");
    case "invalidChecksum":
      return new S3Error("InvalidRequest", 400, `Value for ${error.header} trailing header is invalid.`);
    case "checksumMismatch":
      return new S3Error("BadDigest", 400, `The ${error.algorithm} you specified did not match the calculated checksum.`);
  }
}
