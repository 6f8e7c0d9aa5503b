/**
 * The two AWS SigV4 test-vector suites (see fixtures/sigv4-vectors/README.md), run through
 * the server-side verifier: every signed request is parsed, its canonical request, string to
 * sign and signature must equal the suite's files, it must verify, and it must stop verifying
 * when one byte of the body, one signed header, the date or the signature changes.
 *
 * Known-broken or disputed upstream cases are explicit exceptions below, each with its reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseOk, parseRawRequest } from "./helpers/raw-request.js";
import {
  canonicalRequest,
  computeSignature,
  formatAmzDate,
  parseAmzDate,
  stringToSign,
  verifySignature,
  type SigV4Auth,
  type WireRequest,
} from "../src/sigv4/index.js";

// A copy of ../shared/vectors/sigv4 (its README says where each suite comes from): a clone has no ../shared.
const VECTORS = fileURLToPath(new URL("./fixtures/sigv4-vectors", import.meta.url));
const CRT_DIR = join(VECTORS, "crt-v4", "v4");
const CLASSIC_DIR = join(VECTORS, "classic-2015");

/** The classic suite's fixed secret (README: "Fixed inputs"). */
const CLASSIC_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/** Files are read as latin1: one character per byte, as node presents a request's bytes. */
function readLatin1(path: string): string {
  return readFileSync(path, "latin1");
}

// ---------------------------------------------------------------------------------------------
// Mutations: each takes a verified request and changes exactly one thing on the wire.

function changeLastChar(s: string): string {
  const last = s[s.length - 1];
  return s.slice(0, -1) + (last === "x" ? "y" : "x");
}

function withHeader(req: WireRequest, lowerName: string, edit: (v: string) => string): WireRequest {
  let done = false;
  const headers = req.headers.map(([n, v]): [string, string] => {
    if (done || n.toLowerCase() !== lowerName) return [n, v];
    done = true;
    return [n, edit(v)];
  });
  if (!done) throw new Error(`no ${lowerName} header`);
  return { ...req, headers };
}

function mutateBody(req: WireRequest): WireRequest {
  if (req.body.length === 0) return { ...req, body: Buffer.from("x") };
  const body = Buffer.from(req.body);
  body[0] = body[0]! ^ 0x01;
  return { ...req, body };
}

function mutateDate(req: WireRequest, auth: SigV4Auth): WireRequest {
  const other = formatAmzDate(parseAmzDate(auth.amzDate)! + 1000); // one second later
  if (auth.form === "query") {
    return { ...req, rawQuery: req.rawQuery.replace(`X-Amz-Date=${auth.amzDate}`, `X-Amz-Date=${other}`) };
  }
  return withHeader(req, "x-amz-date", () => other);
}

function flipHex(c: string): string {
  return c === "0" ? "1" : "0";
}

function mutateSignature(req: WireRequest, auth: SigV4Auth): WireRequest {
  const sig = auth.signature;
  const bad = sig.slice(0, -1) + flipHex(sig[sig.length - 1]!);
  if (auth.form === "query") {
    return { ...req, rawQuery: req.rawQuery.replace(`X-Amz-Signature=${sig}`, `X-Amz-Signature=${bad}`) };
  }
  return withHeader(req, "authorization", (v) => v.replace(`Signature=${sig}`, `Signature=${bad}`));
}

/** Verify the request, then each single mutation of it (re-parsed, as the server would). */
function expectVerifiesAndMutationsFail(req: WireRequest, secret: string): void {
  const auth = parseOk(req);
  expect(verifySignature(req, auth, secret)).toBe(true);
  expect(verifySignature(req, auth, secret + "x")).toBe(false);

  const mutated: Array<[string, WireRequest]> = [
    ["body", mutateBody(req)],
    ["date", mutateDate(req, auth)],
    ["signature", mutateSignature(req, auth)],
  ];
  for (const name of auth.signedHeaders) {
    // x-amz-date is covered by the date mutation (a garbled date would not even parse).
    if (name !== "x-amz-date" && req.headers.some(([n]) => n.toLowerCase() === name)) {
      mutated.push([`header ${name}`, withHeader(req, name, changeLastChar)]);
    }
  }
  for (const [what, m] of mutated) {
    const mAuth = parseOk(m);
    expect(verifySignature(m, mAuth, secret), `mutated ${what}`).toBe(false);
  }
}

// ---------------------------------------------------------------------------------------------
// CRT suite (aws-c-auth): 38 cases x {header, query}.

interface CrtContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  omit_session_token?: boolean;
  region: string;
  service: string;
  timestamp: string;
}

const crtCases = readdirSync(CRT_DIR).filter((d) => statSync(join(CRT_DIR, d)).isDirectory()).sort();

describe("CRT suite (aws-c-auth v4)", () => {
  it("has the 38 cases the README announces", () => {
    expect(crtCases).toHaveLength(38);
  });

  describe.each(crtCases)("%s", (name) => {
    const dir = join(CRT_DIR, name);
    const ctx = JSON.parse(readFileSync(join(dir, "context.json"), "utf8")) as CrtContext;
    const secret = ctx.credentials.secret_access_key;

    describe.each(["header", "query"] as const)("%s form", (form) => {
      const req = parseRawRequest(readLatin1(join(dir, `${form}-signed-request.txt`)));
      const expectedCreq = readLatin1(join(dir, `${form}-canonical-request.txt`));
      const expectedSts = readLatin1(join(dir, `${form}-string-to-sign.txt`));
      const expectedSig = readLatin1(join(dir, `${form}-signature.txt`)).trim();

      if (form === "query" && ctx.omit_session_token === true) {
        // EXCEPTION (post-sts-header-after, query form): the client added X-Amz-Security-Token
        // to the URL after signing, so it is not in the vector's canonical query. This server
        // signs every query parameter but X-Amz-Signature, as every SDK does when presigning
        // an STS URL with session credentials; an unsigned token parameter is refused. The
        // vector's numbers are reproduced on the same request without the token parameter.
        it("EXCEPTION (token added after signing): rejected; numbers reproduced without it", () => {
          expect(verifySignature(req, parseOk(req), secret)).toBe(false);
          const stripped = {
            ...req,
            rawQuery: req.rawQuery.replace(/&X-Amz-Security-Token=[^&]*/, ""),
          };
          const auth = parseOk(stripped);
          const creq = canonicalRequest(stripped, auth);
          expect(creq).toBe(expectedCreq);
          expect(stringToSign(auth, creq)).toBe(expectedSts);
          expect(auth.signature).toBe(expectedSig);
          expectVerifiesAndMutationsFail(stripped, secret);
        });
        return;
      }

      it("parses, and rebuilds the canonical request, string to sign and signature", () => {
        const auth = parseOk(req);
        expect(auth.form).toBe(form);
        expect(auth.accessKeyId).toBe(ctx.credentials.access_key_id);
        expect(auth.region).toBe(ctx.region);
        expect(auth.service).toBe(ctx.service);
        expect(auth.amzDate).toBe("20150830T123600Z");
        expect(auth.signature).toBe(expectedSig);
        const creq = canonicalRequest(req, auth, { normalizePath: ctx.normalize });
        expect(creq).toBe(expectedCreq);
        const sts = stringToSign(auth, creq);
        expect(sts).toBe(expectedSts);
        expect(computeSignature(secret, auth, sts)).toBe(expectedSig);
      });

      // The server always normalises paths (STS is not S3), as AWS does. A client that signed
      // an un-normalised path containing "//", "." or ".." segments is therefore rejected, as
      // AWS would; where normalising changes nothing (get-space-unnormalized) it verifies.
      const auth = parseOk(req);
      const normalizationMatters =
        !ctx.normalize &&
        canonicalRequest(req, auth, { normalizePath: false }) !== canonicalRequest(req, auth);
      if (normalizationMatters) {
        it("EXCEPTION (unnormalized path): rejected by the always-normalising server", () => {
          expect(verifySignature(req, auth, secret)).toBe(false);
        });
      } else {
        it("verifies, and one changed byte anywhere makes it fail", () => {
          expectVerifiesAndMutationsFail(req, secret);
        });
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Classic 2015 suite: 31 cases, header form only (.sreq).

function findClassicCases(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, `${entry}.req`))) found.push(path);
    else found.push(...findClassicCases(path));
  }
  return found;
}

const classicCases = findClassicCases(CLASSIC_DIR);

describe("classic 2015 suite", () => {
  it("has the 31 cases the README announces", () => {
    expect(classicCases).toHaveLength(31);
  });

  describe.each(classicCases.map((p) => [basename(p), p] as const))("%s", (name, dir) => {
    const file = (ext: string) => readLatin1(join(dir, `${name}.${ext}`));
    const req = parseRawRequest(file("sreq"));
    const expectedSig = /Signature=([0-9a-f]{64})/.exec(file("authz"))![1]!;

    if (name === "get-header-value-multiline") {
      // EXCEPTION: the suites disagree on obs-fold. Classic expects the folded lines joined
      // with ',' (as if they were separate fields); CRT expects ' ', which is what RFC 9112
      // section 5.2 prescribes for unfolding, and which this server follows (moot in practice:
      // node rejects obs-fold before we see it). So the classic signature must NOT verify,
      // and our canonical request is the classic one with the folds as spaces.
      it("EXCEPTION (obs-fold): canonical request uses spaces as CRT does; classic signature rejected", () => {
        const auth = parseOk(req);
        const creq = canonicalRequest(req, auth);
        expect(creq).toBe(file("creq").replace("value1,value2,value3", "value1 value2 value3"));
        expect(creq).not.toBe(file("creq"));
        expect(verifySignature(req, auth, CLASSIC_SECRET)).toBe(false);
      });
      return;
    }

    if (name === "post-x-www-form-urlencoded") {
      // EXCEPTION (known-broken upstream): the .creq lists content-length, but .sts/.authz
      // (and the .sreq's SignedHeaders) were computed without it. We match .sts and the
      // signature, and the .creq once its content-length line is removed.
      it("EXCEPTION (.creq has content-length, .sts was made without it)", () => {
        const auth = parseOk(req);
        const creq = canonicalRequest(req, auth);
        const withoutContentLength = file("creq")
          .replace("content-length:13\n", "")
          .replace("content-length;", "");
        expect(creq).toBe(withoutContentLength);
        expect(stringToSign(auth, creq)).toBe(file("sts"));
        expect(auth.signature).toBe(expectedSig);
        expectVerifiesAndMutationsFail(req, CLASSIC_SECRET);
      });
      return;
    }

    if (name === "post-x-www-form-urlencoded-parameters") {
      // EXCEPTION (known-broken upstream): neither the .creq (with content-length) nor what the
      // .sreq signs (content-type;host;x-amz-date) hashes to the .sts, so its signature is
      // unreachable. We check that our canonical request is the .creq minus content-length
      // (what the .sreq's SignedHeaders select) and that the signature is rejected.
      it("EXCEPTION (.creq does not hash to .sts; signature unreachable)", () => {
        const auth = parseOk(req);
        const creq = canonicalRequest(req, auth);
        expect(creq).toBe(
          file("creq").replace("content-length:13\n", "").replace("content-length;", ""),
        );
        expect(stringToSign(auth, creq)).not.toBe(file("sts"));
        expect(verifySignature(req, auth, CLASSIC_SECRET)).toBe(false);
      });
      return;
    }

    it("parses, and rebuilds the canonical request, string to sign and signature", () => {
      const auth = parseOk(req);
      expect(auth.form).toBe("header");
      expect(auth.signature).toBe(expectedSig);
      const creq = canonicalRequest(req, auth);
      expect(creq).toBe(file("creq"));
      const sts = stringToSign(auth, creq);
      expect(sts).toBe(file("sts"));
      expect(computeSignature(CLASSIC_SECRET, auth, sts)).toBe(expectedSig);
    });

    it("verifies, and one changed byte anywhere makes it fail", () => {
      expectVerifiesAndMutationsFail(req, CLASSIC_SECRET);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Worked STS examples (numbers from the project brief, independently recomputed with Python).

describe("worked STS examples", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
  const host = "sts.us-east-1.amazonaws.com";
  const contentType = "application/x-www-form-urlencoded; charset=utf-8";

  function post(body: string, extraHeaders: Array<[string, string]>, authorization: string): WireRequest {
    return {
      method: "POST",
      rawPath: "/",
      rawQuery: "",
      headers: [
        ["Host", host],
        ["Content-Type", contentType],
        ["X-Amz-Date", "20150830T123600Z"],
        ...extraHeaders,
        ["Authorization", authorization],
      ],
      body: Buffer.from(body),
    };
  }

  it("GetSessionToken with MFA, long-term key", () => {
    const sig = "1d793ed8f5c28c963cf1905c9b356af70d7d5474d79a986b8aaaac8be63945e3";
    const req = post(
      "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900" +
        "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456",
      [],
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/sts/aws4_request, " +
        `SignedHeaders=content-type;host;x-amz-date, Signature=${sig}`,
    );
    const auth = parseOk(req);
    const sts = stringToSign(auth, canonicalRequest(req, auth));
    expect(sts).toBe(
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/sts/aws4_request\n" +
        "2edd1437e4113e4546d8c405f16f4b51e62834b25cb25f48583a9d11d8637a4f",
    );
    expect(computeSignature(secret, auth, sts)).toBe(sig);
    expectVerifiesAndMutationsFail(req, secret);
  });

  it("GetCallerIdentity with a session token", () => {
    const sig = "48064371eb40e2508514ba4e73929bf442acf37efca2a80b726adbc9411c7082";
    const token = "AQoDYXdzEPT//////////wEXAMPLEtoken=";
    const req = post(
      "Action=GetCallerIdentity&Version=2011-06-15",
      [["X-Amz-Security-Token", token]],
      "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20150830/us-east-1/sts/aws4_request, " +
        `SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=${sig}`,
    );
    const auth = parseOk(req);
    expect(auth.securityToken).toBe(token);
    expect(auth.accessKeyId).toBe("ASIAIOSFODNN7EXAMPLE");
    expectVerifiesAndMutationsFail(req, secret);
  });

  it("presigned GetCallerIdentity URL", () => {
    const url = new URL(
      "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15" +
        "&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request" +
        "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=ae98c42d09934cbb663db85cb6a312037763655bbfaaa64677b404d41b7b16b0",
    );
    const req: WireRequest = {
      method: "GET",
      rawPath: url.pathname,
      rawQuery: url.search.slice(1),
      headers: [["Host", url.host]],
      body: new Uint8Array(0),
    };
    const auth = parseOk(req);
    expect(auth.form).toBe("query");
    expectVerifiesAndMutationsFail(req, secret);
  });
});
