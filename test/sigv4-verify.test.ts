/**
 * verifySignature's policy beyond the bare HMAC comparison, the signing-key derivation and its
 * cache, and the canonicalisation rules chosen where the suites are silent.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { buildQueryString } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import {
  canonicalQuery,
  canonicalUri,
  checkSignedHeaders,
  parseSigV4,
  signingKey,
  verifySignature,
  type SigV4Auth,
  type WireRequest,
} from "../src/sigv4/index.js";
import { computeSignature, signingKeyCacheSize } from "../src/sigv4/signing.js";
import { SIGNING_KEY_CACHE_SIZE } from "../src/sigv4/constants.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST = "sts.us-east-1.amazonaws.com";
const DATE = new Date("2015-08-30T12:36:00Z");

const signer = new SignatureV4({
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET },
  region: "us-east-1",
  service: "sts",
  sha256: Sha256,
});

/** Sign with smithy and return the request as node would present it, plus its parse. */
async function signed(headers: Record<string, string>, body: string, path = "/"): Promise<[WireRequest, SigV4Auth]> {
  const s = await signer.sign(
    { method: "POST", protocol: "https:", hostname: HOST, path, query: {}, headers: { host: HOST, ...headers }, body },
    { signingDate: DATE },
  );
  const req: WireRequest = {
    method: "POST",
    rawPath: s.path,
    rawQuery: buildQueryString(s.query ?? {}),
    headers: Object.entries(s.headers),
    body: Buffer.from(body),
  };
  const parsed = parseSigV4(req);
  if (parsed.kind !== "ok") throw new Error(JSON.stringify(parsed));
  return [req, parsed.auth];
}

describe("verifySignature policy", () => {
  it("accepts a plain signed request (control)", async () => {
    const [req, auth] = await signed({}, "Action=GetCallerIdentity&Version=2011-06-15");
    expect(verifySignature(req, auth, SECRET)).toBe(true);
  });

  it("rejects a signature that is not 64 lower-case hex characters", async () => {
    const [req, auth] = await signed({}, "Action=GetCallerIdentity");
    expect(verifySignature(req, { ...auth, signature: auth.signature.toUpperCase() }, SECRET)).toBe(false);
    expect(verifySignature(req, { ...auth, signature: auth.signature.slice(1) }, SECRET)).toBe(false);
    expect(verifySignature(req, { ...auth, signature: auth.signature + "0" }, SECRET)).toBe(false);
    expect(verifySignature(req, { ...auth, signature: "zz" + auth.signature.slice(2) }, SECRET)).toBe(false);
  });

  it("rejects a request whose Host is not signed", async () => {
    const s = await new SignatureV4({
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET },
      region: "us-east-1",
      service: "sts",
      sha256: Sha256,
    }).sign(
      { method: "GET", protocol: "https:", hostname: HOST, path: "/", query: {}, headers: { host: HOST } },
      { signingDate: DATE, unsignableHeaders: new Set(["host"]) },
    );
    const req: WireRequest = { method: "GET", rawPath: "/", rawQuery: "", headers: Object.entries(s.headers), body: new Uint8Array(0) };
    const parsed = parseSigV4(req);
    if (parsed.kind !== "ok") throw new Error(JSON.stringify(parsed));
    expect(parsed.auth.signedHeaders).not.toContain("host");
    expect(checkSignedHeaders(parsed.auth)).toEqual({
      ok: false,
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
    expect(verifySignature(req, parsed.auth, SECRET)).toBe(false);
  });

  it("x-amz-content-sha256 must be the body's real hash", async () => {
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const realHash = (await import("node:crypto")).createHash("sha256").update(body).digest("hex");
    const [okReq, okAuth] = await signed({ "x-amz-content-sha256": realHash }, body);
    expect(verifySignature(okReq, okAuth, SECRET)).toBe(true);
    // Signed over a declared hash that is not the body's: the body is not what was signed.
    const [badReq, badAuth] = await signed({ "x-amz-content-sha256": "0".repeat(64) }, body);
    expect(verifySignature(badReq, badAuth, SECRET)).toBe(false);
  });

  it("UNSIGNED-PAYLOAD is accepted only with an empty body", async () => {
    const [withBody, a1] = await signed({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, "Action=GetSessionToken");
    expect(verifySignature(withBody, a1, SECRET)).toBe(false);
    const [empty, a2] = await signed({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, "");
    expect(verifySignature(empty, a2, SECRET)).toBe(true);
  });

  it("a signed header that is absent makes the signature fail, not throw", async () => {
    const [req, auth] = await signed({ "x-test": "1" }, "");
    const without = { ...req, headers: req.headers.filter(([n]) => n !== "x-test") };
    expect(verifySignature(without, auth, SECRET)).toBe(false);
  });
});

describe("signing key", () => {
  it("matches AWS's documented derivation example", () => {
    expect(signingKey(SECRET, "20120215", "us-east-1", "iam").toString("hex")).toBe(
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
    );
  });

  it("is cached, bounded, and handed out as a copy", () => {
    const first = signingKey(SECRET, "20120215", "us-east-1", "iam");
    first.fill(0);
    expect(signingKey(SECRET, "20120215", "us-east-1", "iam").toString("hex")).toBe(
      "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
    );
    // One entry per access key id and scope (the secret alone would make one here), never more than the bound.
    const auth: Omit<SigV4Auth, "accessKeyId"> = { form: "header", scopeDate: "20150830", region: "us-east-1", service: "sts", amzDate: "20150830T123600Z", signedHeaders: ["host"], signature: "" };
    for (let i = 0; i < SIGNING_KEY_CACHE_SIZE + 100; i++) computeSignature(SECRET, { ...auth, accessKeyId: `AKID${i}` }, "x");
    expect(signingKeyCacheSize()).toBe(SIGNING_KEY_CACHE_SIZE);
  });
});

describe("canonicalisation rules where the vector suites are silent", () => {
  it("path: dot segments and empty segments removed, then the sent path encoded again", () => {
    expect(canonicalUri("")).toBe("/");
    expect(canonicalUri("/a//b/./c/../d/")).toBe("/a/b/d/");
    expect(canonicalUri("/../..")).toBe("/");
    expect(canonicalUri("/a%20b/%2F/c%2e%2E")).toBe("/a%2520b/%252F/c%252e%252E");
    expect(canonicalUri("/a b/é")).toBe("/a%20b/%E9"); // a wire string: U+00E9 is the byte E9
    expect(canonicalUri("/ሴ")).toBe("/%E1%88%B4"); // above U+00FF: UTF-8
    expect(canonicalUri("//a//", false)).toBe("//a//");
  });

  it("query: decoded, re-encoded, sorted by name then value; '+' is a space", () => {
    expect(canonicalQuery("b=2&a=%7e&a=~z&a&c=a+b%2Bc&d=%zz", false)).toBe(
      "a=&a=~&a=~z&b=2&c=a%20b%2Bc&d=%25zz",
    );
    expect(canonicalQuery("X-Amz-Signature=abc&x=1", true)).toBe("x=1");
    expect(canonicalQuery("X-Amz-Signature=abc&x=1", false)).toBe("X-Amz-Signature=abc&x=1");
    expect(canonicalQuery("a=1&&b=2&", false)).toBe("a=1&b=2");
  });
});
