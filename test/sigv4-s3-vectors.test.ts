/**
 * S3's signing examples (AWS's S3 API Reference, re-derived in test/fixtures/s3-sigv4/aws-docs,
 * see its PROVENANCE.md) and the raw requests of real S3 clients (client-captures), verified by
 * S3's rules: canonical request, string to sign and signature exactly as in the files, and
 * every SigV4 capture verifies with the capture secret. A changed signature gives S3's
 * SignatureDoesNotMatch elements.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseOk, parseRawRequest } from "./helpers/raw-request.js";
import {
  canonicalUri,
  computeSignature,
  parseSigV4,
  s3CanonicalRequest,
  s3Payload,
  s3PayloadReader,
  s3SignatureMismatchDetails,
  s3UnsignedHeaders,
  spacedHexBytes,
  stringToSign,
  verifyS3Signature,
  type SigV4Auth,
  type WireRequest,
} from "../src/sigv4/index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/s3-sigv4", import.meta.url));
const DOCS = join(FIXTURES, "aws-docs");
const CAPTURES = join(FIXTURES, "client-captures");

/** AWS's documentation key pair (the aws-docs examples) and the captures' secret. */
const DOCS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const CAPTURE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function read(path: string): string {
  return readFileSync(path, "latin1");
}

function payloadHashOf(req: WireRequest, auth: SigV4Auth): string {
  const result = s3Payload(req, auth);
  if (!result.ok) throw new Error(`payload: ${JSON.stringify(result.error)}`);
  return result.payloadHash;
}

/** The presigned example: its URL, sent to its host. */
function presignedRequest(): WireRequest {
  const url = new URL(read(join(DOCS, "presigned-get-object", "url.txt")).trim());
  return {
    method: "GET",
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers: [["Host", url.host]],
    body: new Uint8Array(),
  };
}

const HEADER_EXAMPLES = ["get-object-range", "put-object", "get-bucket-lifecycle", "list-objects"];

describe("AWS's S3 signing examples", () => {
  const cases: Array<[string, () => WireRequest, string]> = [
    ...HEADER_EXAMPLES.map((name): [string, () => WireRequest, string] => [
      name,
      () => parseRawRequest(read(join(DOCS, name, "request.txt"))),
      "signature.txt",
    ]),
    ["presigned-get-object", presignedRequest, "signature.txt"],
    ["streaming-signed-payload", () => parseRawRequest(read(join(DOCS, "streaming-signed-payload", "request-headers.txt"))), "seed-signature.txt"],
    [
      "streaming-signed-payload-trailer",
      () => parseRawRequest(read(join(DOCS, "streaming-signed-payload-trailer", "request-headers.txt"))),
      "seed-signature.txt",
    ],
  ];

  for (const [name, load, signatureFile] of cases) {
    it(`${name}: canonical request, string to sign and signature are AWS's`, () => {
      const req = load();
      const auth = parseOk(req);
      const payloadHash = payloadHashOf(req, auth);
      const canonical = s3CanonicalRequest(req, auth, payloadHash);
      expect(canonical).toBe(read(join(DOCS, name, "canonical-request.txt")));
      const toSign = stringToSign(auth, canonical);
      expect(toSign).toBe(read(join(DOCS, name, "string-to-sign.txt")));
      const signature = read(join(DOCS, name, signatureFile)).trim();
      expect(computeSignature(DOCS_SECRET, auth, toSign)).toBe(signature);
      expect(auth.signature).toBe(signature);
      expect(verifyS3Signature(req, auth, DOCS_SECRET, payloadHash)).toEqual({ ok: true });
      expect(s3UnsignedHeaders(req, auth)).toEqual([]);
    });
  }

  it("put-object: the path sent raw (test$file.text) is signed encoded once, and the body matches its hash", () => {
    const req = parseRawRequest(read(join(DOCS, "put-object", "request.txt")));
    expect(req.rawPath).toBe("/test$file.text");
    expect(canonicalUri(req.rawPath, false, false)).toBe("/test%24file.text");
    const auth = parseOk(req);
    const payload = s3Payload(req, auth);
    if (!payload.ok) throw new Error("payload");
    expect(payload.payload).toEqual({ kind: "sha256", hash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" });
    const reader = s3PayloadReader(payload.payload);
    expect(Buffer.concat(reader.write(req.body)).toString()).toBe("Welcome to Amazon S3.");
    expect(reader.end()).toMatchObject({ ok: true, length: 21 });
  });

  it("presigned-get-object: the payload line is UNSIGNED-PAYLOAD and X-Amz-Signature is not signed", () => {
    const req = presignedRequest();
    const auth = parseOk(req);
    expect(auth.form).toBe("query");
    expect(s3Payload(req, auth)).toEqual({ ok: true, payloadHash: "UNSIGNED-PAYLOAD", payload: { kind: "unsigned" } });
  });

  for (const name of [...HEADER_EXAMPLES, "presigned-get-object"]) {
    it(`${name}: a wrong secret or a changed request gives S3's SignatureDoesNotMatch elements`, () => {
      const req = name === "presigned-get-object" ? presignedRequest() : parseRawRequest(read(join(DOCS, name, "request.txt")));
      const auth = parseOk(req);
      const payloadHash = payloadHashOf(req, auth);
      const result = verifyS3Signature(req, auth, DOCS_SECRET.replace("K7", "K8"), payloadHash);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const toSign = read(join(DOCS, name, "string-to-sign.txt"));
      const canonical = read(join(DOCS, name, "canonical-request.txt"));
      expect(result.details).toEqual({
        awsAccessKeyId: "AKIAIOSFODNN7EXAMPLE",
        stringToSign: toSign,
        signatureProvided: auth.signature,
        stringToSignBytes: [...Buffer.from(toSign, "latin1")].map((b) => b.toString(16).padStart(2, "0")).join(" "),
        canonicalRequest: canonical,
        canonicalRequestBytes: [...Buffer.from(canonical, "latin1")].map((b) => b.toString(16).padStart(2, "0")).join(" "),
      });
      expect(s3SignatureMismatchDetails(req, auth, payloadHash)).toEqual(result.details);
      // As AWS prints it (minio/minio#2986, aws/aws-cli#4356): two lower-case hex digits, one space.
      expect(result.details.stringToSignBytes.startsWith("41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a 32 30 31 33")).toBe(true);

      // One changed byte in a signed place: the method, the path, the signature itself.
      const changed: WireRequest[] = [
        { ...req, method: req.method === "GET" ? "HEAD" : "POST" },
        { ...req, rawPath: req.rawPath + "x" },
      ];
      for (const r of changed) expect(verifyS3Signature(r, parseOk(r), DOCS_SECRET, payloadHash).ok).toBe(false);
      const flipped = { ...auth, signature: auth.signature.replace(/^./, (c) => (c === "0" ? "1" : "0")) };
      expect(verifyS3Signature(req, flipped, DOCS_SECRET, payloadHash).ok).toBe(false);
      // Upper-case hex is not a SigV4 signature.
      expect(verifyS3Signature(req, { ...auth, signature: auth.signature.toUpperCase() }, DOCS_SECRET, payloadHash).ok).toBe(false);
    });
  }

  it("spacedHexBytes: bytes of a wire string, and UTF-8 above U+00FF", () => {
    expect(spacedHexBytes("AWS4\n")).toBe("41 57 53 34 0a");
    expect(spacedHexBytes("é")).toBe("e9");
    expect(spacedHexBytes("ሴ")).toBe("e1 88 b4");
    expect(spacedHexBytes("")).toBe("");
  });
});

describe("real client captures (client-captures/)", () => {
  const files = readdirSync(CAPTURES).filter((f) => f.endsWith(".req"));

  it("has the captures", () => {
    expect(files.length).toBe(18);
  });

  for (const file of files) {
    const req = parseRawRequest(read(join(CAPTURES, file)));
    const parsed = parseSigV4(req);
    if (file.includes("sigv2")) {
      it(`${file}: SigV2 is not SigV4 (the caller answers it)`, () => {
        expect(parsed.kind).not.toBe("ok");
      });
      continue;
    }
    it(`${file}: verifies by S3's rules, the path signed exactly as sent`, () => {
      const auth = parseOk(req);
      const payloadHash = payloadHashOf(req, auth);
      expect(s3CanonicalRequest(req, auth, payloadHash).split("\n")[1]).toBe(req.rawPath);
      expect(verifyS3Signature(req, auth, CAPTURE_SECRET, payloadHash)).toEqual({ ok: true });
      expect(s3UnsignedHeaders(req, auth)).toEqual([]);
      // The generic (non-S3) canonical path differs wherever the path carries an escape.
      if (req.rawPath.includes("%")) expect(canonicalUri(req.rawPath)).not.toBe(req.rawPath);
    });
  }

  it("boto3 unsigned-trailer upload: HTTP chunking removed, the aws-chunked body decodes and its CRC32 verifies", () => {
    const req = parseRawRequest(read(join(CAPTURES, "boto3-1.43.11_put-object-unsigned-trailer_https.req")));
    const auth = parseOk(req);
    const payload = s3Payload(req, auth);
    if (!payload.ok) throw new Error("payload");
    expect(payload.payload).toEqual({
      kind: "streaming",
      mode: "unsigned-trailer",
      decodedContentLength: 11,
      trailerNames: ["x-amz-checksum-crc32"],
    });
    // The outer HTTP/1.1 chunking, as node's parser would remove it: one 0x34-byte chunk.
    const outer = Buffer.from(req.body);
    const firstLine = outer.indexOf("\r\n");
    const size = parseInt(outer.subarray(0, firstLine).toString(), 16);
    expect(size).toBe(0x34);
    const inner = outer.subarray(firstLine + 2, firstLine + 2 + size);
    expect(outer.subarray(firstLine + 2 + size).toString()).toBe("\r\n0\r\n\r\n");

    const reader = s3PayloadReader(payload.payload);
    expect(Buffer.concat(reader.write(inner)).toString()).toBe("hello world");
    expect(reader.end()).toEqual({
      ok: true,
      length: 11,
      trailers: [{ name: "x-amz-checksum-crc32", value: "DUoRhQ==" }],
      checksums: [{ algorithm: "CRC32", header: "x-amz-checksum-crc32", value: "DUoRhQ==" }],
    });
  });
});
