/**
 * Property tests: requests signed by three independent client signers - @smithy/signature-v4
 * (AWS SDK for JavaScript v3), aws4 (mhart) and botocore (AWS SDK for Python, through one
 * long-lived python3 process) - are turned into what node's http module would hand the server,
 * and must verify with the right secret and fail with a wrong one. Header form and presigned
 * (query) form for each signer.
 *
 * Inputs are what real clients produce: paths are sequences of percent-encoded segments
 * (spaces, unicode, reserved characters, "%", "/" inside a segment, empty segments giving "//",
 * "." and ".."), query parameters include empty values, repeated keys, unicode, '+', '=', '&';
 * extra headers carry runs of spaces and tabs; bodies are arbitrary text.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { buildQueryString } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import aws4 from "aws4";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkRequestTime,
  checkScopeDate,
  formatAmzDate,
  parseSigV4,
  verifySignature,
  type WireRequest,
} from "../src/sigv4/index.js";

const RUNS = 200;
const HOST = "sts.us-east-1.amazonaws.com";

// ---------------------------------------------------------------------------------------------
// Generators

/** smithy's escapeUri: encodeURIComponent plus !'()* - the RFC 3986 unreserved set only. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A lighter path encoding some clients use: sub-delims, ':' and '@' left as they are. */
function encodeSegmentLight(s: string): string {
  return encodeURIComponent(s).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (m) => decodeURIComponent(m));
}

const PATH_CHARS = [
  "a", "Z", "0", "-", ".", "_", "~", " ", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";",
  "=", ":", "@", "%", "/", "é", "ሴ", "😀",
];
const QUERY_CHARS = [
  "a", "B", "1", "-", ".", "_", "~", " ", "+", "=", "&", "%", "/", "?", "*", "!", "'", ":",
  "é", "ሴ", "😀",
];
const HEADER_VALUE_PARTS = ["a", "B", "9", " ", "   ", "\t", ",", ";", '"', "=", "/", "~", "(", ")"];

const chars = (pool: string[], minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...pool), { minLength, maxLength }).map((a) => a.join(""));

const segmentArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("", ".", "..") },
  { weight: 5, arbitrary: chars(PATH_CHARS, 1, 6) },
);

/** A wire path as a client sends it: each segment percent-encoded, fully or lightly. */
const pathArb = fc
  .record({
    segments: fc.array(segmentArb, { maxLength: 5 }),
    trailingSlash: fc.boolean(),
    light: fc.boolean(),
  })
  .map(({ segments, trailingSlash, light }) => {
    if (segments.length === 0) return "/";
    const enc = light ? encodeSegmentLight : escapeUri;
    return "/" + segments.map(enc).join("/") + (trailingSlash ? "/" : "");
  });

const queryKeyArb = fc.oneof(
  fc.constantFrom("k", "dup", "Action"),
  chars(QUERY_CHARS, 1, 5).filter((k) => !k.toLowerCase().startsWith("x-amz-")),
);
const queryArb = fc.array(fc.tuple(queryKeyArb, chars(QUERY_CHARS, 0, 6)), { maxLength: 4 });

const headersArb = fc.uniqueArray(
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{1,6}$/), chars(HEADER_VALUE_PARTS, 0, 8)),
  { maxLength: 3, selector: ([name]) => name.toLowerCase() },
).map((hs) => hs.map(([name, value]): [string, string] => [`X-Test-${name}`, value]));

const bodyArb = fc.oneof(fc.constant(""), fc.string({ unit: "grapheme", maxLength: 40 }));

const dateArb = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

const credsArb = fc.record({
  accessKeyId: fc.stringMatching(/^(AKIA|ASIA)[A-Z0-9]{12}$/),
  secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{1,40}$/),
  sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9/+=]{1,60}$/), { nil: undefined }),
});

const caseArb = fc.record({
  path: pathArb,
  query: queryArb,
  headers: headersArb,
  body: bodyArb,
  date: dateArb,
  creds: credsArb,
  region: fc.constantFrom("us-east-1", "eu-west-3", "cn-north-1"),
  service: fc.constantFrom("sts", "iam"),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// From a signer's output to what node's http server would present.

/** node trims spaces and tabs around header values. */
function nodeTrim(v: string): string {
  return v.replace(/^[ \t]+|[ \t]+$/g, "");
}

function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  const q = target.indexOf("?");
  return q < 0 ? { rawPath: target, rawQuery: "" } : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

function headerPairs(headers: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, string] => [k, nodeTrim(String(v))]);
}

/** The verifier must accept the request, and reject it under a wrong secret. */
function expectAccepted(req: WireRequest, c: Case, form: "header" | "query"): void {
  const parsed = parseSigV4(req);
  if (parsed.kind !== "ok") throw new Error(`parse failed: ${JSON.stringify(parsed)} for ${JSON.stringify(req)}`);
  const auth = parsed.auth;
  expect(auth.form).toBe(form);
  expect(auth.accessKeyId).toBe(c.creds.accessKeyId);
  expect(auth.amzDate).toBe(formatAmzDate(c.date.getTime()));
  expect(auth.securityToken).toBe(c.creds.sessionToken);
  expect(checkRequestTime(auth, c.date.getTime())).toEqual({ ok: true });
  expect(checkScopeDate(auth)).toEqual({ ok: true });
  expect(verifySignature(req, auth, c.creds.secretAccessKey), JSON.stringify(req)).toBe(true);
  expect(verifySignature(req, auth, c.creds.secretAccessKey + "x")).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// @smithy/signature-v4

function smithyQuery(pairs: Array<[string, string]>): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = q[k];
    q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return q;
}

function smithyRequest(c: Case) {
  const body = new TextEncoder().encode(c.body);
  const headers: Record<string, string> = { host: HOST };
  for (const [k, v] of c.headers) headers[k] = v;
  if (body.length > 0) headers["content-type"] = "application/x-www-form-urlencoded; charset=utf-8";
  return {
    method: body.length > 0 ? "POST" : "GET",
    protocol: "https:",
    hostname: HOST,
    path: c.path,
    query: smithyQuery(c.query),
    headers,
    body,
  };
}

function smithySigner(c: Case): SignatureV4 {
  const { accessKeyId, secretAccessKey, sessionToken } = c.creds;
  return new SignatureV4({
    credentials: sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken },
    region: c.region,
    service: c.service,
    sha256: Sha256,
  });
}

/** What node-http-handler sends for a smithy request: path, then buildQueryString(query). */
function smithyWire(signed: {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}): WireRequest {
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery: buildQueryString(signed.query ?? {}),
    headers: headerPairs(signed.headers),
    body: signed.body instanceof Uint8Array ? signed.body : new Uint8Array(0),
  };
}

describe("@smithy/signature-v4 signed requests verify", () => {
  it("header form", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const signed = await smithySigner(c).sign(smithyRequest(c), { signingDate: c.date });
        expectAccepted(smithyWire(signed), c, "header");
      }),
      { numRuns: RUNS },
    );
  });

  it("presigned (query) form", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const signed = await smithySigner(c).presign(smithyRequest(c), { signingDate: c.date, expiresIn: 900 });
        expectAccepted(smithyWire(signed), c, "query");
      }),
      { numRuns: RUNS },
    );
  });

  it("header values are verified byte for byte (node presents them as latin1)", async () => {
    // smithy hashes the UTF-8 bytes of "café ሴ"; node hands the server those bytes one
    // character per byte. The verifier must hash the bytes, not re-encode the characters.
    const c = fc.sample(caseArb, { numRuns: 1, seed: 42 })[0]!;
    c.headers = [["X-Test-utf8", "café  ሴ"]];
    const signed = await smithySigner(c).sign(smithyRequest(c), { signingDate: c.date });
    const wire = smithyWire(signed);
    const asNode: WireRequest = {
      ...wire,
      headers: wire.headers.map(([k, v]) => [k, Buffer.from(v, "utf8").toString("latin1")]),
    };
    expectAccepted(asNode, c, "header");
  });
});

// ---------------------------------------------------------------------------------------------
// aws4

/** A query string as a user hands it to aws4: RFC 3986 encoding, or form style ('+' = space). */
function userQuery(pairs: Array<[string, string]>, formStyle: boolean): string {
  const enc = formStyle ? (s: string) => escapeUri(s).replace(/%20/g, "+") : escapeUri;
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&");
}

function aws4Sign(c: Case, signQuery: boolean, formStyle: boolean): WireRequest {
  const headers: Record<string, string> = { Host: HOST };
  for (const [k, v] of c.headers) headers[k] = v;
  let query = userQuery(c.query, formStyle);
  const amzDate = formatAmzDate(c.date.getTime());
  if (signQuery) query += `${query ? "&" : ""}X-Amz-Date=${amzDate}`;
  else headers["X-Amz-Date"] = amzDate;
  const { accessKeyId, secretAccessKey, sessionToken } = c.creds;
  const signed = aws4.sign(
    {
      host: HOST,
      method: c.body ? "POST" : "GET",
      path: query ? `${c.path}?${query}` : c.path,
      headers,
      body: c.body || undefined,
      service: c.service,
      region: c.region,
      signQuery,
    },
    sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken },
  );
  return {
    method: signed.method ?? "GET",
    ...splitTarget(signed.path ?? "/"),
    headers: headerPairs(signed.headers as Record<string, unknown>),
    body: Buffer.from(c.body, "utf8"),
  };
}

describe("aws4 signed requests verify", () => {
  it("header form", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, formStyle) => {
        expectAccepted(aws4Sign(c, false, formStyle), c, "header");
      }),
      { numRuns: RUNS },
    );
  });

  it("presigned (query) form", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, formStyle) => {
        expectAccepted(aws4Sign(c, true, formStyle), c, "query");
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// botocore, through one python3 process (test/helpers/botocore_sign.py)

interface BotocoreResult {
  url?: string;
  headers?: Array<[string, string]>;
  bodyB64?: string;
  error?: string;
}

class Botocore {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = "";
  private readonly pending: Array<{ resolve: (r: BotocoreResult) => void; reject: (e: Error) => void }> = [];
  private stderr = "";

  constructor() {
    const script = fileURLToPath(new URL("./helpers/botocore_sign.py", import.meta.url));
    this.proc = spawn("python3", [script], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.shift()?.resolve(JSON.parse(line) as BotocoreResult);
      }
    });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on("exit", (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`python3 exited ${code}: ${this.stderr}`));
    });
  }

  sign(request: object): Promise<BotocoreResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.proc.stdin.write(JSON.stringify(request) + "\n");
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

let botocore: Botocore;
beforeAll(() => {
  botocore = new Botocore();
});
afterAll(() => {
  botocore?.close();
});

type BotoMode = "header-params" | "header-url" | "query";

async function botocoreSign(c: Case, mode: BotoMode): Promise<WireRequest> {
  const body = mode === "query" ? "" : c.body; // SigV4QueryAuth moves a body into the query as JSON
  const headers: Record<string, string> = {};
  for (const [k, v] of c.headers) headers[k] = v;
  if (body) headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
  // header-params: botocore builds the query itself (urlencode: spaces as '+') and signs it
  // with quote (spaces as %20); header-url / query: a query already in the URL.
  const urlQuery = mode === "header-params" ? "" : userQuery(c.query, false);
  const result = await botocore.sign({
    mode: mode === "query" ? "query" : "header",
    method: body ? "POST" : "GET",
    url: `https://${HOST}${c.path}${urlQuery ? `?${urlQuery}` : ""}`,
    headers,
    params: mode === "header-params" ? c.query : null,
    bodyB64: Buffer.from(body, "utf8").toString("base64"),
    amzDate: formatAmzDate(c.date.getTime()),
    accessKeyId: c.creds.accessKeyId,
    secretAccessKey: c.creds.secretAccessKey,
    token: c.creds.sessionToken ?? null,
    region: c.region,
    service: c.service,
    expires: 900,
  });
  if (result.error !== undefined || result.url === undefined || result.headers === undefined) {
    throw new Error(`botocore: ${result.error}`);
  }
  // Split the URL by hand: WHATWG URL parsing would normalise the path the client sent.
  const afterScheme = result.url.indexOf("/", "https://".length);
  const headerList = result.headers.map(([k, v]): [string, string] => [k, nodeTrim(v)]);
  if (!headerList.some(([k]) => k.toLowerCase() === "host")) headerList.unshift(["Host", HOST]);
  return {
    method: body ? "POST" : "GET",
    ...splitTarget(afterScheme < 0 ? "/" : result.url.slice(afterScheme)),
    headers: headerList,
    body: Buffer.from(result.bodyB64 ?? "", "base64"),
  };
}

describe("botocore signed requests verify", () => {
  it("header form, query built by botocore from params ('+' for spaces on the wire)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => expectAccepted(await botocoreSign(c, "header-params"), c, "header")),
      { numRuns: RUNS },
    );
  });

  it("header form, query already in the URL", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => expectAccepted(await botocoreSign(c, "header-url"), c, "header")),
      { numRuns: RUNS },
    );
  });

  it("presigned (query) form", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => expectAccepted(await botocoreSign(c, "query"), c, "query")),
      { numRuns: RUNS },
    );
  });
});
