/**
 * The fuzz suite's mutations. Three kinds:
 *  - of a request's meaning, before it is signed (so it passes authentication and reaches
 *    parsing, validation, the policy engine and the operations): parameters dropped, emptied,
 *    duplicated, oversized, made non-UTF-8 or oddly indexed; documents broken or nested deep;
 *    S3 paths, sub-resources and headers made strange;
 *  - of its bytes, after it is signed: bits flipped, bytes inserted and deleted, headers mangled,
 *    session tokens truncated and bit-flipped, signatures and scopes broken, framing cut;
 *  - raw garbage: random bytes, HTTP-shaped nonsense.
 * Each takes the case's seeded Rng, so a seed replays every pick.
 */
import type { Rng } from "./seeded.js";

export type Pairs = [string, string][];

/** Some values that break things: types, encodings, sizes, characters. */
const ODD_VALUES = [
  "",
  " ",
  "-1",
  "0",
  "1e3",
  "99999999999999999999999",
  "NaN",
  "true",
  "null",
  "[]",
  "{}",
  "\u0000",
  "\r\n",
  "\u202e",
  "\ud800",
  "😀".repeat(40),
  "ä".repeat(65),
  "%",
  "%%",
  "../../etc/passwd",
  "arn:aws:iam::*:*",
  "*",
  "a".repeat(129),
  "<x>&amp;</x>",
  "'\"`",
  "${jndi:ldap://x}",
];

const SIZES = [65, 129, 257, 1025, 2049, 20_000, 140_000];

/** Documents that parse strangely, or not at all, or nest deeply, or make wildcards work hard. */
export function oddDocument(rng: Rng): string {
  const depth = rng.pick([100, 5_000, 100_000]);
  const stars = `${"*a".repeat(rng.pick([10, 40, 200]))}*b`;
  return rng.pick([
    "",
    "{",
    "null",
    "[]",
    '"text"',
    `{"Version":"2012-10-17","Statement":${"[".repeat(depth)}${"]".repeat(depth)}}`,
    `{"Version":"2012-10-17","Statement":${"[".repeat(depth)}`,
    `${"{\"a\":".repeat(Math.min(depth, 20_000))}1${"}".repeat(Math.min(depth, 20_000))}`,
    '{"Version":"2012-10-17","Statement":5}',
    '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*:*","Resource":["*",1,null]}]}',
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"${stars}","Resource":"arn:aws:s3:::${stars}"}]}`,
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","NotResource":"*","Condition":{"StringLike":{"aws:username":"${stars}"},"ForAnyValue:DateGreaterThan":{"aws:CurrentTime":"x"},"IpAddress":{"aws:SourceIp":"999.1.1.1/99"},"Bool":{"aws:SecureTransport":["a",{}]}}}]}`,
    `{"Version":"2012-10-17","Statement":[${Array.from({ length: 300 }, (_, i) => `{"Sid":"s${i}","Effect":"Deny","Action":"iam:*","Resource":"*"}`).join(",")}]}`,
    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*","arn:aws:iam::1:root",{}]},"Action":"sts:AssumeRole"}]}`,
    '\ufeff{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Resource":"x"}]}',
    `{"Version":"2012-10-17","Id":"${"x".repeat(3000)}","Statement":[]}`,
  ]);
}

const DOCUMENT_MEMBERS = /^(PolicyDocument|Policy|AssumeRolePolicyDocument|PolicyInputList\.member\.\d+)$/;

/** Mutations of a Query call's decoded parameters (applied before signing). */
export function mutatePairs(pairs: Pairs, rng: Rng, otherActions: readonly string[]): Pairs {
  const out: Pairs = pairs.map(([k, v]) => [k, v]);
  // Mostly a member of the operation: a request without its Action would stop at the door.
  const at = () => {
    const members = out.flatMap(([k], i) => (k === "Action" || k === "Version" ? [] : [i]));
    return members.length > 0 && rng.next() < 0.9 ? rng.pick(members) : rng.int(out.length);
  };
  const times = rng.next() < 0.7 ? 1 : rng.between(2, 3);
  for (let i = 0; i < times && out.length > 0; i++) {
    const n = at();
    const [name, value] = out[n]!;
    switch (rng.int(11)) {
      case 0:
        out.splice(n, 1);
        break;
      case 1:
        out[n] = [name, ""];
        break;
      case 2:
        out.splice(rng.int(out.length + 1), 0, [name, rng.next() < 0.5 ? value : rng.pick(ODD_VALUES)]);
        break;
      case 3:
        out[n] = [name, (value || "a").repeat(Math.ceil(rng.pick(SIZES) / Math.max(1, value.length))).slice(0, rng.pick(SIZES))];
        break;
      case 4:
        out[n] = [name, rng.pick(ODD_VALUES)];
        break;
      case 5: {
        // Odd list indexes: 0, gaps, huge, negative, nested deeper.
        const bent = name.includes(".member.")
          ? name.replace(/\.member\.\d+/, `.member.${rng.pick(["0", "2", "99999999999999", "-1", "01", "1.member.1", "", "x"])}`)
          : `${name}.member.${rng.pick(["1", "0", "1.member.1"])}`;
        out[n] = [bent, value];
        break;
      }
      case 6:
        out.push([rng.pick(["X", "action", "Action ", "Version\u0000", "a.member.1.b.member.1.c", "Tags.member.1.Key", "", "=", "&"]), rng.pick(ODD_VALUES)]);
        break;
      case 7: {
        const action = out.findIndex(([k]) => k === "Action");
        if (action >= 0) out[action] = ["Action", rng.next() < 0.8 ? rng.pick(otherActions) : rng.pick(ODD_VALUES)];
        break;
      }
      case 8: {
        const version = out.findIndex(([k]) => k === "Version");
        if (version >= 0) out[version] = ["Version", rng.pick(["2010-05-08", "2011-06-15", "", "2099-01-01", "latest"])];
        break;
      }
      case 9: {
        const doc = out.findIndex(([k]) => DOCUMENT_MEMBERS.test(k));
        if (doc >= 0) out[doc] = [out[doc]![0], oddDocument(rng)];
        else out[n] = [name, oddDocument(rng)];
        break;
      }
      default:
        // Shuffle: order should not matter to anyone.
        out.sort(() => rng.next() - 0.5);
    }
  }
  return out;
}

/** Byte-level damage to an encoded form body (applied before signing: the signature covers it). */
export function damageEncoding(body: Buffer, rng: Rng): Buffer {
  const text = body.toString("latin1");
  const at = rng.int(text.length + 1);
  const insert = rng.pick(["%", "%G1", "%FF%FE", "%C3%28", "%ED%A0%80", "\u00ff", "&&", "=", "==", ";", "+", "%00", "%0D%0A", "&=&", "\u0000"]);
  if (rng.next() < 0.2) return Buffer.from(text.slice(0, at), "latin1");
  return Buffer.from(text.slice(0, at) + insert + text.slice(at), "latin1");
}

/** Headers a Query request may carry instead of the form's Content-Type. */
export const ODD_CONTENT_TYPES = [
  undefined,
  "text/plain",
  "application/json",
  "application/x-www-form-urlencoded; charset=latin1",
  "multipart/form-data; boundary=x",
  "application/x-amz-json-1.1",
  "application/x-www-form-urlencoded\u0000",
];

// ---------------------------------------------------------------------------------------------
// After signing: the bytes.

/** The head (up to the blank line) and the body of serialized request bytes. */
function split(bytes: Buffer): { head: string; body: Buffer } {
  const end = bytes.indexOf("\r\n\r\n");
  return end < 0 ? { head: bytes.toString("latin1"), body: Buffer.alloc(0) } : { head: bytes.subarray(0, end).toString("latin1"), body: bytes.subarray(end + 4) };
}

const join = (head: string, body: Buffer) => Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), body]);

function flipBits(bytes: Buffer, rng: Rng, from = 0, to = bytes.length): Buffer {
  const out = Buffer.from(bytes);
  if (to <= from) return out;
  for (let i = rng.between(1, 8); i > 0; i--) out[from + rng.int(to - from)]! ^= 1 << rng.int(8);
  return out;
}

function headerMangle(head: string, rng: Rng): string {
  const [requestLine, ...lines] = head.split("\r\n");
  const n = rng.int(Math.max(1, lines.length));
  switch (rng.int(10)) {
    case 0:
      lines.splice(n, 1);
      break;
    case 1:
      lines.splice(n, 0, lines[n] ?? "X: y");
      break;
    case 2: {
      const line = lines[n] ?? "X: y";
      lines[n] = line.slice(0, rng.int(line.length + 1)) + rng.pick(["", "\u0000", "\u007f", "\u00ff\u00fe", " ", ",", "\t", "x".repeat(300)]);
      break;
    }
    case 3:
      lines.push("Transfer-Encoding: chunked");
      break;
    case 4: {
      const cl = lines.findIndex((l) => /^content-length:/i.test(l));
      const value = rng.pick(["-1", "abc", "1e3", "99999999999", "0", " 5", "5, 5"]);
      if (cl >= 0) lines[cl] = `content-length: ${value}`;
      else lines.push(`Content-Length: ${value}`);
      break;
    }
    case 5:
      lines.push(`X-Big: ${"b".repeat(rng.pick([8_000, 17_000]))}`);
      break;
    case 6:
      lines.splice(n, 0, " folded continuation");
      break;
    case 7:
      lines[n] = (lines[n] ?? "").replace(":", rng.pick([" :", "", "::", ": \r"]));
      break;
    case 8:
      lines.push(rng.pick(["Expect: 100-continue", "Expect: something-else", "Connection: upgrade", "Upgrade: h2c", "Host: other", "Content-Encoding: aws-chunked", "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD"]));
      break;
    default:
      lines[n] = (lines[n] ?? "").toUpperCase();
  }
  return [requestLine, ...lines].join("\r\n");
}

/** Truncates, bit-flips or swaps the session token (when the request carries one). */
function tokenMangle(head: string, rng: Rng, otherToken: string): string {
  return head.replace(/^(x-amz-security-token: )(.*)$/im, (_, name: string, token: string) => {
    switch (rng.int(5)) {
      case 0:
        return name + token.slice(0, rng.int(token.length));
      case 1: {
        const i = rng.int(token.length);
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        return name + token.slice(0, i) + alphabet[rng.int(alphabet.length)] + token.slice(i + 1);
      }
      case 2:
        return name + otherToken;
      case 3:
        return name + token + token;
      default:
        return name + Buffer.from(rng.bytes(rng.between(1, 600))).toString("base64");
    }
  });
}

/** Breaks the Authorization header's signature, scope or shape, or the request's date. */
function signatureMangle(head: string, rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return head.replace(/Signature=([0-9a-f]+)/, (_, s: string) => `Signature=${s.slice(0, rng.int(s.length))}`);
    case 1:
      return head.replace(/Signature=([0-9a-f])/, (_, c: string) => `Signature=${c === "0" ? "1" : "0"}`);
    case 2:
      return head.replace(/Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/, (...m: string[]) =>
        rng.pick([
          `Credential=${m[1]}/19700101/${m[3]}/${m[4]}/aws4_request`,
          `Credential=${m[1]}/${m[2]}/mars-1/${m[4]}/aws4_request`,
          `Credential=${m[1]}/${m[2]}/${m[3]}/ec2/aws4_request`,
          `Credential=${m[1]}/${m[2]}/${m[3]}/${m[4]}/aws5_request`,
          `Credential=${m[1]}//${m[3]}/${m[4]}/aws4_request`,
          `Credential=AKIA${"A".repeat(16)}/${m[2]}/${m[3]}/${m[4]}/aws4_request`,
        ]),
      );
    case 3:
      return head.replace(/SignedHeaders=[^,]+/, rng.pick(["SignedHeaders=", "SignedHeaders=host", "SignedHeaders=;;", "SignedHeaders=x-unknown;host"]));
    case 4:
      return head.replace(/^(authorization: )AWS4-HMAC-SHA256/im, `$1${rng.pick(["AWS4-HMAC-SHA512", "aws4-hmac-sha256", "AWS4-ECDSA-P256-SHA256", "AWS4-HMAC-SHA256 AWS4-HMAC-SHA256"])}`);
    default:
      return head.replace(/^(x-amz-date: )(.*)$/im, (_, name: string) => name + rng.pick(["", "20991231T000000Z", "19700101T000000Z", "2024-01-01T00:00:00Z", "not a date", "20240230T250000Z"]));
  }
}

/** One or more of the byte-level mutations. */
export function mutateBytes(bytes: Buffer, rng: Rng, otherToken: string): Buffer {
  let out = bytes;
  for (let i = rng.between(1, 2); i > 0; i--) {
    const { head, body } = split(out);
    const headLength = Buffer.byteLength(head, "latin1");
    switch (rng.int(8)) {
      case 0:
        out = flipBits(out, rng);
        break;
      case 1:
        out = body.length > 0 ? join(head, flipBits(body, rng)) : flipBits(out, rng, 0, headLength);
        break;
      case 2: {
        const at = rng.int(out.length + 1);
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.between(1, 40)), out.subarray(at)]);
        break;
      }
      case 3: {
        const at = rng.int(out.length);
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.between(1, 40))]);
        break;
      }
      case 4:
        out = join(headerMangle(head, rng), body);
        break;
      case 5:
        out = join(tokenMangle(head, rng, otherToken), body);
        break;
      case 6:
        out = join(signatureMangle(head, rng), body);
        break;
      default:
        // The request line: method, target, version.
        out = join(
          head.replace(/^(\S+) (\S+) (\S+)/, (_, m: string, t: string, v: string) =>
            rng.pick([
              `${rng.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "get"])} ${t} ${v}`,
              `${m} ${rng.pick(["*", "http://x/", "//", "/?", "/%", "/..%2f", "/\u00ff", `/${"a".repeat(9000)}`, "/?Action=GetCallerIdentity&Version=2011-06-15"])} ${v}`,
              `${m} ${t} ${rng.pick(["HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1x", "http/1.1", ""])}`,
            ]),
          ),
          body,
        );
    }
  }
  return out;
}

/** Bytes that are not a request, or barely. */
export function garbage(rng: Rng): Buffer {
  switch (rng.int(5)) {
    case 0:
      return rng.bytes(rng.between(1, 3000));
    case 1:
      return Buffer.from(`${rng.pick(["GET", "POST", "PUT"])} / HTTP/1.1\r\n${Array.from({ length: rng.between(0, 30) }, () => `${rng.bytes(rng.between(1, 10)).toString("latin1")}: ${rng.bytes(rng.between(0, 40)).toString("latin1")}`).join("\r\n")}\r\n\r\n`, "latin1");
    case 2:
      return Buffer.from(`${"\r\n".repeat(rng.between(1, 5))}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    case 3:
      // A TLS ClientHello's first bytes, or HTTP/2's preface, on the plain port.
      return rng.next() < 0.5 ? Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...rng.bytes(40)]) : Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    default:
      return Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${rng.between(0, 100)}\r\n\r\n${rng.bytes(rng.between(0, 120)).toString("latin1")}`, "latin1");
  }
}

// ---------------------------------------------------------------------------------------------
// S3: the meaning of a request, before signing.

/** Keys and paths that are hard to route or to store. */
export const ODD_KEYS = ["..", ".", "a/../b", "%00", "%C3%A4", "%FF", "a%2Fb", "%2e%2e", "a+b", "~", "a//b", encodeURIComponent("😀"), "k".repeat(1100), "%20", ""];

export const ODD_S3_QUERIES: Record<string, string>[] = [
  { uploads: "", "max-uploads": "-1" },
  { "list-type": "2", "max-keys": "abc" },
  { "list-type": "3" },
  { "list-type": "2", "continuation-token": "!!!" },
  { "list-type": "2", "encoding-type": "bogus" },
  { delimiter: "\u0000", prefix: "\u00ff" },
  { partNumber: "0", uploadId: "x" },
  { partNumber: "10001", uploadId: "x" },
  { partNumber: "abc", uploadId: "" },
  { acl: "" },
  { tagging: "" },
  { versionId: "null" },
  { location: "", delete: "" },
  { "x-id": "GetObject" },
  { "response-content-type": "\r\nX: y" },
];

export const ODD_S3_HEADERS: Record<string, string>[] = [
  { range: "bytes=abc" },
  { range: "bytes=-0" },
  { range: "bytes=5-1,0-" },
  { range: `bytes=${"0-1,".repeat(500)}0-1` },
  { "if-modified-since": "yesterday" },
  { "if-match": "" },
  { "if-none-match": "*" },
  { "x-amz-copy-source": "/" },
  { "x-amz-copy-source": "nobucket/%ZZ" },
  { "x-amz-copy-source-range": "bytes=0-1" },
  { "content-md5": "not-md5" },
  { "content-md5": "AAAAAAAAAAAAAAAAAAAAAA==" },
  { "x-amz-checksum-crc32": "AAAA" },
  { "x-amz-checksum-sha256": "!" },
  { "x-amz-sdk-checksum-algorithm": "MD4" },
  { "x-amz-decoded-content-length": "-5" },
  { "x-amz-metadata-directive": "SIDEWAYS" },
  { "x-amz-meta-a": "😀".repeat(1000) },
  { "x-amz-storage-class": "GLACIER" },
  { "x-amz-acl": "public-read" },
  { "x-amz-server-side-encryption": "aws:kms" },
  { "content-type": "\u00ff" },
  { expect: "100-continue" },
];

export const ODD_XML = [
  "",
  "<",
  "not xml",
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>',
  `<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`,
  `<Delete>${"<a>".repeat(20_000)}</Delete>`,
  "<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
  "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber></Part><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
  "<CreateBucketConfiguration><LocationConstraint>mars-1</LocationConstraint></CreateBucketConfiguration>",
  "<Delete><Quiet>maybe</Quiet></Delete>",
  "\ufeff<Delete/>",
];
