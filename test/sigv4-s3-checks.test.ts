/**
 * S3's request-level rules (s3-spec §5): the canonical path, x-amz-content-sha256, the time
 * window and presigned-URL lifetime with the values S3 prints, unsigned x-amz-* headers, and the
 * body checked against a declared SHA-256 as it streams.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalRequest,
  canonicalUri,
  checkS3Presigned,
  checkS3RequestTime,
  ContentSha256Checker,
  formatIsoSeconds,
  s3CanonicalRequest,
  s3Payload,
  s3PayloadReader,
  s3UnsignedHeaders,
  UnsignedPayloadReader,
  type SigV4Auth,
  type WireRequest,
} from "../src/sigv4/index.js";

const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function request(headers: Array<[string, string]>, rawQuery = "", rawPath = "/b/k"): WireRequest {
  return { method: "PUT", rawPath, rawQuery, headers, body: new Uint8Array() };
}

const HEADER_AUTH: SigV4Auth = {
  form: "header",
  accessKeyId: "AKIDEXAMPLE",
  scopeDate: "20150604",
  region: "us-east-1",
  service: "s3",
  amzDate: "20150604T232559Z",
  signedHeaders: ["host", "x-amz-content-sha256", "x-amz-date"],
  signature: "0".repeat(64),
};
const QUERY_AUTH: SigV4Auth = { ...HEADER_AUTH, form: "query", amzDate: "20130524T000000Z", signedHeaders: ["host"] };

describe("canonical URI, S3's way: encoded once, never normalised", () => {
  const once = (p: string) => canonicalUri(p, false, false);
  it("keeps a path a client encoded exactly as sent", () => {
    for (const p of ["/", "/b3bucket/k/with%20space%2Bplus%26amp.txt", "/b/a%2Fb", "/b/%E2%82%AC", "/b/k~_.-", "/b//k/", "/b/./k/../x"]) {
      expect(once(p)).toBe(p);
    }
  });
  it("encodes what a client left raw, and writes escapes upper case", () => {
    expect(once("/test$file.text")).toBe("/test%24file.text");
    expect(once("/b/a b+c")).toBe("/b/a%20b%2Bc");
    expect(once("/b/%e2%82%ac")).toBe("/b/%E2%82%AC");
    expect(once("/b/é")).toBe("/b/%E9"); // a wire string: one byte
    expect(once("/b/€")).toBe("/b/%E2%82%AC"); // above U+00FF: UTF-8
    expect(once("/b/100%")).toBe("/b/100%25");
    // An escaped unreserved character is signed as the character, as SigV4's UriEncode writes it.
    expect(once("/b/%2E%2E/%7Ex")).toBe("/b/../~x");
    expect(once("")).toBe("/");
  });
  it("is idempotent, and the identity on what an AWS signer produces (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 12 }), { maxLength: 5 }), (segments) => {
        // What botocore sends: each key segment quoted with safe='~' (RFC 3986 unreserved).
        const sent = "/" + segments.map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())).join("/");
        expect(once(sent)).toBe(sent);
        expect(once(once(sent))).toBe(once(sent));
      }),
    );
  });
  it("leaves the generic (double-encoding, normalising) default alone", () => {
    expect(canonicalUri("/a%20b/./c")).toBe("/a%2520b/c");
    expect(canonicalUri("/a%20b/./c", false)).toBe("/a%2520b/./c");
  });
  it("s3CanonicalRequest = canonicalRequest with S3's options; the payload line is the declared value", () => {
    const req = request([["Host", "h"], ["x-amz-content-sha256", "UNSIGNED-PAYLOAD"], ["x-amz-date", "20150604T232559Z"]], "", "/b/a%20b/../c");
    const s3 = s3CanonicalRequest(req, HEADER_AUTH, "UNSIGNED-PAYLOAD");
    expect(s3.split("\n")[1]).toBe("/b/a%20b/../c");
    expect(s3.endsWith("\nUNSIGNED-PAYLOAD")).toBe(true);
    expect(canonicalRequest(req, HEADER_AUTH).split("\n")[1]).toBe("/b/c");
  });
});

describe("x-amz-content-sha256 (s3Payload)", () => {
  it("is required on the header form: InvalidRequest 'Missing required header for this request: x-amz-content-sha256'", () => {
    expect(s3Payload(request([["Host", "h"]]), HEADER_AUTH)).toEqual({ ok: false, error: { kind: "missingContentSha256" } });
  });
  it("accepts a hex SHA-256 (either case, as sent) and UNSIGNED-PAYLOAD", () => {
    expect(s3Payload(request([["X-Amz-Content-SHA256", EMPTY]]), HEADER_AUTH)).toEqual({
      ok: true,
      payloadHash: EMPTY,
      payload: { kind: "sha256", hash: EMPTY },
    });
    expect(s3Payload(request([["x-amz-content-sha256", EMPTY.toUpperCase()]]), HEADER_AUTH)).toMatchObject({
      ok: true,
      payloadHash: EMPTY.toUpperCase(),
    });
    expect(s3Payload(request([["x-amz-content-sha256", "UNSIGNED-PAYLOAD"]]), HEADER_AUTH)).toEqual({
      ok: true,
      payloadHash: "UNSIGNED-PAYLOAD",
      payload: { kind: "unsigned" },
    });
  });
  it("accepts the three streaming values, with x-amz-decoded-content-length and x-amz-trailer", () => {
    const modes = {
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": "signed",
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": "signed-trailer",
      "STREAMING-UNSIGNED-PAYLOAD-TRAILER": "unsigned-trailer",
    } as const;
    for (const [value, mode] of Object.entries(modes)) {
      const result = s3Payload(
        request([
          ["x-amz-content-sha256", value],
          ["X-Amz-Decoded-Content-Length", "66560"],
          ["X-Amz-Trailer", " X-Amz-Checksum-CRC32C ,x-amz-checksum-sha1"],
        ]),
        HEADER_AUTH,
      );
      expect(result).toEqual({
        ok: true,
        payloadHash: value,
        payload: {
          kind: "streaming",
          mode,
          decodedContentLength: 66560,
          trailerNames: mode === "signed" ? [] : ["x-amz-checksum-crc32c", "x-amz-checksum-sha1"],
        },
      });
    }
    expect(s3Payload(request([["x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]]), HEADER_AUTH)).toMatchObject({
      ok: true,
      payload: { decodedContentLength: undefined, trailerNames: [] },
    });
  });
  it("refuses anything else: InvalidArgument with the value as ArgumentValue", () => {
    for (const value of [
      "",
      "unsigned-payload",
      EMPTY.slice(1),
      EMPTY + "0",
      "z".repeat(64),
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
      `${EMPTY}, ${EMPTY}`,
    ]) {
      expect(s3Payload(request([["x-amz-content-sha256", value]]), HEADER_AUTH)).toEqual({
        ok: false,
        error: { kind: "invalidContentSha256", value },
      });
    }
    // Repeated headers join with ',' (as SigV4 reads them) and so are refused too.
    expect(s3Payload(request([["x-amz-content-sha256", EMPTY], ["x-amz-content-sha256", EMPTY]]), HEADER_AUTH)).toMatchObject({
      ok: false,
      error: { kind: "invalidContentSha256" },
    });
  });
  it("refuses a decoded length that is not a byte count", () => {
    for (const value of ["-1", "1.5", "0x10", "", "99999999999999999"]) {
      expect(
        s3Payload(request([["x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"], ["x-amz-decoded-content-length", value]]), HEADER_AUTH),
      ).toEqual({ ok: false, error: { kind: "invalidDecodedContentLength", value } });
    }
  });
  it("presigned URL: UNSIGNED-PAYLOAD, unless the URL (or else a header) declares a hash", () => {
    expect(s3Payload(request([["Host", "h"]]), QUERY_AUTH)).toEqual({
      ok: true,
      payloadHash: "UNSIGNED-PAYLOAD",
      payload: { kind: "unsigned" },
    });
    expect(s3Payload(request([], `X-Amz-Content-Sha256=${EMPTY}&X-Amz-Expires=1`), QUERY_AUTH)).toMatchObject({
      ok: true,
      payload: { kind: "sha256", hash: EMPTY },
    });
    expect(s3Payload(request([], "x-amz-content-sha256=UNSIGNED-PAYLOAD"), QUERY_AUTH)).toMatchObject({ ok: true, payload: { kind: "unsigned" } });
    expect(s3Payload(request([["x-amz-content-sha256", EMPTY]]), QUERY_AUTH)).toMatchObject({ ok: true, payload: { kind: "sha256" } });
    expect(s3Payload(request([], "X-Amz-Content-Sha256=nonsense"), QUERY_AUTH)).toEqual({
      ok: false,
      error: { kind: "invalidContentSha256", value: "nonsense" },
    });
  });
});

describe("the body against a declared SHA-256 (ContentSha256Checker)", () => {
  it("passes pieces through and says, at the end, whether they hash to the declared value", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), fc.boolean(), (pieces, upper) => {
        const whole = Buffer.concat(pieces);
        const hex = createHash("sha256").update(whole).digest("hex");
        const checker = new ContentSha256Checker(upper ? hex.toUpperCase() : hex);
        const out = Buffer.concat(pieces.flatMap((p) => checker.write(p)));
        expect(out.equals(whole)).toBe(true);
        expect(checker.end()).toEqual({ ok: true, length: whole.length, trailers: [], checksums: [] });
      }),
    );
  });
  it("a mismatch gives XAmzContentSHA256Mismatch's two elements", () => {
    const checker = new ContentSha256Checker(EMPTY.toUpperCase());
    checker.write(Buffer.from("x"));
    expect(checker.error).toBeUndefined();
    const result = checker.end();
    expect(result).toEqual({
      ok: false,
      error: {
        kind: "contentSha256Mismatch",
        clientComputedContentSHA256: EMPTY.toUpperCase(),
        s3ComputedContentSHA256: createHash("sha256").update("x").digest("hex"),
      },
    });
    expect(checker.error).toEqual(result.ok ? undefined : result.error);
    expect(checker.write(Buffer.from("more"))).toEqual([]);
    expect(checker.end()).toBe(result);
  });
  it("UNSIGNED-PAYLOAD passes everything; s3PayloadReader picks the reader", () => {
    const reader = new UnsignedPayloadReader();
    expect(reader.write(Buffer.from("abc"))).toEqual([Buffer.from("abc")]);
    expect(reader.write(new Uint8Array())).toEqual([]);
    expect(reader.end()).toEqual({ ok: true, length: 3, trailers: [], checksums: [] });
    expect(s3PayloadReader({ kind: "unsigned" })).toBeInstanceOf(UnsignedPayloadReader);
    expect(s3PayloadReader({ kind: "sha256", hash: EMPTY })).toBeInstanceOf(ContentSha256Checker);
  });
});

describe("header form: RequestTimeTooSkewed (checkS3RequestTime)", () => {
  const at = Date.UTC(2015, 5, 4, 23, 25, 59); // = the X-Amz-Date
  it("accepts 15 minutes either way, inclusive", () => {
    for (const delta of [0, 900_000, -900_000, 900_999, -900_000 + 999]) expect(checkS3RequestTime(HEADER_AUTH, at + delta)).toEqual({ ok: true });
  });
  it("beyond: RequestTime as sent, ServerTime in ISO seconds, MaxAllowedSkewMilliseconds 900000", () => {
    // The raw AWS reply in aws/aws-sdk-php#612: 20150604T232559Z against 2015-06-04T22:26:16Z.
    expect(checkS3RequestTime(HEADER_AUTH, Date.UTC(2015, 5, 4, 22, 26, 16, 250))).toEqual({
      ok: false,
      kind: "requestTimeTooSkewed",
      requestTime: "20150604T232559Z",
      serverTime: "2015-06-04T22:26:16Z",
      maxAllowedSkewMilliseconds: 900000,
    });
    expect(checkS3RequestTime(HEADER_AUTH, at + 901_000)).toMatchObject({ ok: false, serverTime: "2015-06-04T23:41:00Z" });
    expect(checkS3RequestTime({ ...HEADER_AUTH, amzDate: "garbage" }, at)).toMatchObject({ ok: false, requestTime: "garbage" });
  });
  it("formatIsoSeconds drops the milliseconds", () => {
    expect(formatIsoSeconds(Date.UTC(2018, 2, 29, 11, 17, 34, 999))).toBe("2018-03-29T11:17:34Z");
  });
});

describe("presigned URL: X-Amz-Expires and the URL's lifetime (checkS3Presigned)", () => {
  const date = Date.UTC(2013, 4, 24); // QUERY_AUTH's X-Amz-Date
  const check = (expires: string | undefined, now: number) =>
    checkS3Presigned(request([], expires === undefined ? "X-Amz-Date=20130524T000000Z" : `X-Amz-Expires=${expires}`), QUERY_AUTH, now);
  const queryError = (message: string) => ({ ok: false, kind: "authorizationQueryParametersError", message });

  it("valid from X-Amz-Date to X-Amz-Date + X-Amz-Expires, inclusive", () => {
    expect(check("86400", date)).toEqual({ ok: true, expiresSeconds: 86400, expiresAt: date + 86_400_000 });
    expect(check("86400", date + 86_400_999)).toMatchObject({ ok: true });
    expect(check("604800", date + 604_800_000)).toMatchObject({ ok: true });
    expect(check("1", date - 900_000)).toMatchObject({ ok: true }); // signed by a clock 15 min ahead
  });
  it("expired: AccessDenied 'Request has expired' with X-Amz-Expires, Expires, ServerTime", () => {
    expect(check("86400", date + 86_401_000)).toEqual({
      ok: false,
      kind: "requestExpired",
      xAmzExpires: "86400",
      expires: "2013-05-25T00:00:00Z",
      serverTime: "2013-05-25T00:00:01Z",
    });
    expect(check("0", date + 1000)).toMatchObject({ ok: false, kind: "requestExpired", xAmzExpires: "0" });
  });
  it("dated more than 15 minutes ahead: 'Request is not yet valid'", () => {
    expect(check("60", date - 901_000)).toEqual({
      ok: false,
      kind: "requestNotYetValid",
      xAmzDate: String(date),
      expires: "2013-05-24T00:01:00Z",
      serverTime: "2013-05-23T23:44:59Z",
    });
  });
  it("X-Amz-Expires missing, not a number, negative, over a week: AuthorizationQueryParametersError", () => {
    const missing = queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
    expect(check(undefined, date)).toEqual(missing);
    expect(check("", date)).toEqual(missing);
    for (const bad of ["abc", "1.5", "+5", "1e3", "%20"]) expect(check(bad, date)).toEqual(queryError("X-Amz-Expires should be a number"));
    expect(check("-1", date)).toEqual(queryError("X-Amz-Expires must be non-negative"));
    for (const big of ["604801", "99999999999999999999"]) {
      expect(check(big, date)).toEqual(
        queryError("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"),
      );
    }
  });
});

describe("unsigned x-amz-* headers (s3UnsignedHeaders): AccessDenied with HeadersNotSigned", () => {
  it("lists, sorted and once each, the x-amz-* headers the signature does not cover", () => {
    const req = request([
      ["Host", "h"],
      ["X-Amz-Decoded-Content-Length", "5"],
      ["x-amz-date", "20130524T000000Z"],
      ["x-amz-date", "20130524T000000Z"],
      ["x-amz-content-sha256", EMPTY], // exempt: it is the payload line anyway
      ["x-amzn-trace-id", "Root=1"], // not x-amz-
      ["x-amz-meta-wrong", "1"],
      ["content-type", "text/plain"], // only x-amz-* must be signed
    ]);
    expect(s3UnsignedHeaders(req, QUERY_AUTH)).toEqual(["x-amz-date", "x-amz-decoded-content-length", "x-amz-meta-wrong"]);
    expect(s3UnsignedHeaders(req, { ...QUERY_AUTH, signedHeaders: ["host", "x-amz-date", "x-amz-decoded-content-length", "x-amz-meta-wrong"] })).toEqual([]);
  });
});
