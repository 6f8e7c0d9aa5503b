/**
 * parseSigV4's outcomes and AWS error texts, the time-window and scope-date messages, and the
 * promise that no input, however broken, makes the parser (or the verifier after it) throw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalRequest,
  checkRequestTime,
  checkScopeDate,
  parseAmzDate,
  parseSigV4,
  verifySignature,
  type ParseResult,
  type SigV4Auth,
  type WireRequest,
} from "../src/sigv4/index.js";

const SIG = "1d793ed8f5c28c963cf1905c9b356af70d7d5474d79a986b8aaaac8be63945e3";
const CRED = "AKIAIOSFODNN7EXAMPLE/20200128/us-east-1/sts/aws4_request";
const GOOD_AUTH = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=content-type;host;x-amz-date, Signature=${SIG}`;

function request(headers: Array<[string, string]>, rawQuery = ""): WireRequest {
  return { method: "POST", rawPath: "/", rawQuery, headers, body: new Uint8Array(0) };
}

function withAuth(authorization: string, extra: Array<[string, string]> = [["X-Amz-Date", "20200128T101010Z"]]) {
  return request([["Host", "sts.amazonaws.com"], ...extra, ["Authorization", authorization]]);
}

function incomplete(message: string): ParseResult {
  return { kind: "error", code: "IncompleteSignature", message };
}

function ok(result: ParseResult): SigV4Auth {
  if (result.kind !== "ok") throw new Error(JSON.stringify(result));
  return result.auth;
}

describe("parseSigV4: no authentication", () => {
  it("is 'none' without an Authorization header or X-Amz-Algorithm/X-Amz-Signature", () => {
    expect(parseSigV4(request([["Host", "x"]]))).toEqual({ kind: "none" });
    expect(parseSigV4(request([["Host", "x"]], "Action=GetCallerIdentity&X-Amz-Date=20200128T101010Z"))).toEqual({
      kind: "none",
    });
  });
});

describe("parseSigV4: Authorization header", () => {
  it("parses a well-formed header", () => {
    const auth = ok(parseSigV4(withAuth(GOOD_AUTH, [["X-Amz-Date", "20200128T101010Z"], ["X-Amz-Security-Token", "tok/+="]])));
    expect(auth).toEqual({
      form: "header",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      scopeDate: "20200128",
      region: "us-east-1",
      service: "sts",
      amzDate: "20200128T101010Z",
      signedHeaders: ["content-type", "host", "x-amz-date"],
      signature: SIG,
      securityToken: "tok/+=",
    });
  });

  it("accepts components separated by ',' and/or spaces, and lower-cases SignedHeaders", () => {
    const auth = ok(parseSigV4(withAuth(`AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders=Host;X-Amz-Date   Signature=${SIG}`)));
    expect(auth.signedHeaders).toEqual(["host", "x-amz-date"]);
    expect(auth.signature).toBe(SIG);
  });

  it("ignores trailing slashes in the credential, as AWS (Java's split) does", () => {
    expect(ok(parseSigV4(withAuth(GOOD_AUTH.replace("aws4_request", "aws4_request/")))).service).toBe("sts");
  });

  it("AWS example: component without '=' (the whole header is quoted)", () => {
    const header =
      `AWS4-HMAC-SHA256 Credential= ${CRED}, SignedHeaders=content-type;host;x-amz-date, Signature=${SIG}`;
    expect(parseSigV4(withAuth(header))).toEqual(
      incomplete(`'${CRED}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`),
    );
  });

  it("AWS example: a space inside the credential splits it (STS/hadoop capture)", () => {
    const header = `AWS4-HMAC-SHA256 Credential=not valid/20180109/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    expect(parseSigV4(withAuth(header))).toEqual(
      incomplete(
        `'valid/20180109/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
      ),
    );
  });

  it("AWS example: missing parameters, one sentence each, then the header", () => {
    expect(parseSigV4(withAuth("AWS4-HMAC-SHA256 Credential=ABCDEF"))).toEqual(
      incomplete(
        "Authorization header requires 'Signature' parameter. " +
          "Authorization header requires 'SignedHeaders' parameter. " +
          "Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF",
      ),
    );
  });

  it("missing date header joins the same list (AWS wording, seen from API Gateway)", () => {
    expect(parseSigV4(withAuth(`AWS4-HMAC-SHA256 Credential=${CRED}, Signature=${SIG}`, []))).toEqual(
      incomplete(
        "Authorization header requires 'SignedHeaders' parameter. " +
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
          `Authorization=AWS4-HMAC-SHA256 Credential=${CRED}, Signature=${SIG}`,
      ),
    );
  });

  it("an empty Authorization header lists everything", () => {
    expect(parseSigV4(withAuth("", []))).toEqual(
      incomplete(
        "Authorization header requires 'Credential' parameter. " +
          "Authorization header requires 'Signature' parameter. " +
          "Authorization header requires 'SignedHeaders' parameter. " +
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
          "Authorization=",
      ),
    );
  });

  it("another scheme is an unsupported algorithm", () => {
    expect(parseSigV4(withAuth("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'AWS'."),
    );
    expect(parseSigV4(withAuth("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'Bearer'."),
    );
    expect(parseSigV4(withAuth(GOOD_AUTH.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."),
    );
  });

  it("AWS example: credential without 5 elements", () => {
    const header = GOOD_AUTH.replace(CRED, "AKIAIOSFODNN7EXAMPLE/20200128/us-east-1/sts");
    expect(parseSigV4(withAuth(header))).toEqual(
      incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, " +
          "got 'AKIAIOSFODNN7EXAMPLE/20200128/us-east-1/sts'",
      ),
    );
  });

  it("credential terminator must be aws4_request (trailing space as AWS joins sentences)", () => {
    const header = GOOD_AUTH.replace("aws4_request", "xyz");
    expect(parseSigV4(withAuth(header))).toEqual(
      incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not 'xyz'. "),
    );
  });

  it("credential date must be YYYYMMDD", () => {
    const header = GOOD_AUTH.replace("/20200128/", "/2020012/");
    expect(parseSigV4(withAuth(header))).toEqual(
      incomplete(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
          "'2020012' != '20200128', from '20200128T101010Z'.",
      ),
    );
  });

  it("X-Amz-Date must be ISO-8601 basic format and a real instant", () => {
    for (const bad of ["2020-01-28T10:10:10Z", "20200128T101010", "20200231T101010Z", "20200128T240000Z", "20200128T101060Z"]) {
      expect(parseSigV4(withAuth(GOOD_AUTH, [["X-Amz-Date", bad]]))).toEqual(
        incomplete(`Date must be in ISO-8601 'basic format'. Got '${bad}'. See http://en.wikipedia.org/wiki/ISO_8601`),
      );
    }
    expect(parseAmzDate("20200229T235959Z")).toBe(Date.UTC(2020, 1, 29, 23, 59, 59));
    expect(parseAmzDate("00010101T000000Z")).toBe(new Date("0001-01-01T00:00:00Z").getTime());
  });

  it("falls back to the Date header only when it is in X-Amz-Date's format", () => {
    expect(ok(parseSigV4(withAuth(GOOD_AUTH, [["Date", "20200128T101010Z"]]))).amzDate).toBe("20200128T101010Z");
    expect(parseSigV4(withAuth(GOOD_AUTH, [["Date", "Tue, 28 Jan 2020 10:10:10 GMT"]]))).toEqual(
      incomplete(
        "Date must be in ISO-8601 'basic format'. Got 'Tue, 28 Jan 2020 10:10:10 GMT'. See http://en.wikipedia.org/wiki/ISO_8601",
      ),
    );
    // X-Amz-Date wins over Date.
    const both: Array<[string, string]> = [["Date", "garbage"], ["X-Amz-Date", "20200128T101010Z"]];
    expect(ok(parseSigV4(withAuth(GOOD_AUTH, both))).amzDate).toBe("20200128T101010Z");
  });

  it("two Authorization headers are malformed", () => {
    const req = request([["X-Amz-Date", "20200128T101010Z"], ["Authorization", GOOD_AUTH], ["authorization", GOOD_AUTH]]);
    const result = parseSigV4(req);
    expect(result).toEqual(
      incomplete(
        `'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: '${GOOD_AUTH},${GOOD_AUTH}'.`,
      ),
    );
  });

  it("two X-Amz-Date headers are malformed", () => {
    const result = parseSigV4(withAuth(GOOD_AUTH, [["X-Amz-Date", "20200128T101010Z"], ["x-amz-date", "20200128T101010Z"]]));
    expect(result).toMatchObject({ kind: "error", code: "IncompleteSignature" });
    expect(result.kind === "error" && result.message).toContain("Got '20200128T101010Z,20200128T101010Z'");
  });

  it("both an Authorization header and X-Amz-Algorithm is refused", () => {
    const req = request([["X-Amz-Date", "20200128T101010Z"], ["Authorization", GOOD_AUTH]], "X-Amz-Algorithm=AWS4-HMAC-SHA256");
    expect(parseSigV4(req)).toEqual(
      incomplete("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."),
    );
  });
});

describe("parseSigV4: presigned query", () => {
  const q = (params: Record<string, string>) =>
    Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join("&");
  const full = {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": CRED,
    "X-Amz-Date": "20200128T101010Z",
    "X-Amz-Expires": "60",
    "X-Amz-SignedHeaders": "host",
    "X-Amz-Security-Token": "IQo+/x==",
    "X-Amz-Signature": SIG,
  };

  it("parses (percent-decoding every parameter)", () => {
    expect(ok(parseSigV4(request([["Host", "x"]], `Action=GetCallerIdentity&${q(full)}`)))).toEqual({
      form: "query",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      scopeDate: "20200128",
      region: "us-east-1",
      service: "sts",
      amzDate: "20200128T101010Z",
      signedHeaders: ["host"],
      signature: SIG,
      securityToken: "IQo+/x==",
    });
  });

  it("lists the missing parameters", () => {
    expect(parseSigV4(request([], "X-Amz-Algorithm=AWS4-HMAC-SHA256"))).toEqual(
      incomplete(
        "AWS query-string parameters must include 'X-Amz-Credential'. " +
          "AWS query-string parameters must include 'X-Amz-Signature'. " +
          "AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
          "AWS query-string parameters must include 'X-Amz-Date'. " +
          "Re-examine the query-string parameters.",
      ),
    );
    const { "X-Amz-Algorithm": _a, "X-Amz-Date": _d, ...rest } = full;
    expect(parseSigV4(request([], q(rest)))).toEqual(
      incomplete(
        "AWS query-string parameters must include 'X-Amz-Algorithm'. " +
          "AWS query-string parameters must include 'X-Amz-Date'. " +
          "Re-examine the query-string parameters.",
      ),
    );
  });

  it("another algorithm counts as no authentication token", () => {
    expect(parseSigV4(request([], q({ ...full, "X-Amz-Algorithm": "AWS4-HMAC-SHA512" })))).toEqual({
      kind: "error",
      code: "MissingAuthenticationToken",
      message: "Request is missing Authentication Token",
    });
  });

  it("a repeated X-Amz-Date is malformed", () => {
    const result = parseSigV4(request([], `${q(full)}&X-Amz-Date=20200128T101010Z`));
    expect(result).toMatchObject({ kind: "error", code: "IncompleteSignature" });
    expect(result.kind === "error" && result.message).toContain("Got '20200128T101010Z,20200128T101010Z'");
  });

  it("a bad credential gets the same text as in the header form", () => {
    expect(parseSigV4(request([], q({ ...full, "X-Amz-Credential": "AKID" })))).toEqual(
      incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID'"),
    );
  });
});

describe("time window (AWS captures, exact)", () => {
  const at = (amzDate: string, form: SigV4Auth["form"] = "header"): SigV4Auth => ({
    form,
    accessKeyId: "AKID",
    scopeDate: amzDate.slice(0, 8),
    region: "us-east-1",
    service: "sts",
    amzDate,
    signedHeaders: ["host"],
    signature: SIG,
  });
  const ms = (s: string) => parseAmzDate(s)!;

  it("expired", () => {
    expect(checkRequestTime(at("20220127T001427Z"), ms("20220127T015928Z"))).toEqual({
      ok: false,
      message: "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)",
    });
  });

  it("not yet current", () => {
    expect(checkRequestTime(at("20210112T194419Z"), ms("20210112T071125Z"))).toEqual({
      ok: false,
      message:
        "Signature not yet current: 20210112T194419Z is still later than 20210112T072625Z (20210112T071125Z + 15 min.)",
    });
  });

  it("exactly 15 minutes either way is accepted; one second more is not; now is truncated to the second", () => {
    const t = ms("20150830T123600Z");
    expect(checkRequestTime(at("20150830T123600Z"), t + 15 * 60_000)).toEqual({ ok: true });
    expect(checkRequestTime(at("20150830T123600Z"), t + 15 * 60_000 + 999)).toEqual({ ok: true });
    expect(checkRequestTime(at("20150830T123600Z"), t - 15 * 60_000)).toEqual({ ok: true });
    expect(checkRequestTime(at("20150830T123600Z"), t + 15 * 60_000 + 1000)).toEqual({
      ok: false,
      message: "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)",
    });
    expect(checkRequestTime(at("20150830T123600Z"), t - 15 * 60_000 - 1000)).toEqual({
      ok: false,
      message: "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)",
    });
  });

  it("presigned URLs get the same 15-minute window whatever X-Amz-Expires says", () => {
    const t = ms("20150830T123600Z");
    expect(checkRequestTime(at("20150830T123600Z", "query"), t + 14 * 60_000)).toEqual({ ok: true });
    expect(checkRequestTime(at("20150830T123600Z", "query"), t + 16 * 60_000)).toMatchObject({ ok: false });
  });

  it("credential scope date must be X-Amz-Date's date", () => {
    expect(checkScopeDate(at("20150830T123600Z"))).toEqual({ ok: true });
    expect(checkScopeDate({ ...at("20150831T000000Z"), scopeDate: "20150830" })).toEqual({
      ok: false,
      message:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        "'20150830' != '20150831', from '20150831T000000Z'.",
    });
  });
});

describe("no input makes the parser or the verifier throw", () => {
  const anyString = fc.oneof(
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
    fc.constantFrom("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "=", ",", "/", "%", "%zz", "%E1", "Credential=a/b/c/d/aws4_request"),
  );
  const authLike = fc
    .array(
      fc.oneof(
        anyString,
        fc.constantFrom("Credential=", "SignedHeaders=", "Signature=", ", ", " ", "AWS4-HMAC-SHA256"),
        fc.constant(`Credential=${CRED}`),
        fc.constant(`SignedHeaders=host;x-amz-date`),
        fc.constant(`Signature=${SIG}`),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(""));
  const queryLike = fc
    .array(
      fc.oneof(
        anyString,
        fc.constantFrom("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Signature=", `X-Amz-Credential=${encodeURIComponent(CRED)}`),
        fc.constantFrom("X-Amz-Date=20200128T101010Z", "X-Amz-SignedHeaders=host", "&", "=", "+"),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join("&"));
  const headerName = fc.oneof(
    fc.constantFrom("Authorization", "authorization", "X-Amz-Date", "Date", "X-Amz-Security-Token", "Host", "x-amz-content-sha256"),
    anyString,
  );

  it("holds for arbitrary requests", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(headerName, fc.oneof(authLike, anyString)), { maxLength: 6 }),
        queryLike,
        anyString,
        fc.uint8Array({ maxLength: 32 }),
        (headers, rawQuery, rawPath, body) => {
          const req: WireRequest = { method: "POST", rawPath, rawQuery, headers, body };
          const result = parseSigV4(req);
          expect(["none", "error", "ok"]).toContain(result.kind);
          if (result.kind === "ok") {
            expect(typeof canonicalRequest(req, result.auth)).toBe("string");
            expect(verifySignature(req, result.auth, "secret")).toBe(false);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("holds for huge inputs", () => {
    const huge = "A".repeat(1 << 20);
    const headers: Array<[string, string]> = [
      ["Authorization", `AWS4-HMAC-SHA256 Credential=${huge}/20200128/${huge}/sts/aws4_request, SignedHeaders=${huge}, Signature=${huge}`],
      ["X-Amz-Date", "20200128T101010Z"],
    ];
    const result = parseSigV4({ method: "GET", rawPath: `/${huge}`, rawQuery: `a=${huge}`, headers, body: new Uint8Array(0) });
    expect(result.kind).toBe("ok");
    if (result.kind === "ok") {
      expect(verifySignature({ method: "GET", rawPath: "/", rawQuery: "", headers, body: new Uint8Array(0) }, result.auth, "s")).toBe(false);
    }
  });
});
