import { describe, expect, it } from "vitest";
import type { SigV4Auth, WireRequest } from "../sigv4/types.js";
import { isValidBucketName } from "./bucket-names.js";
import { isS3Request, s3Target } from "./target.js";

const req = (method: string, target: string, headers: [string, string][] = [["Host", "127.0.0.1:4599"]]): WireRequest => {
  const q = target.indexOf("?");
  return { method, rawPath: q < 0 ? target : target.slice(0, q), rawQuery: q < 0 ? "" : target.slice(q + 1), headers, body: new Uint8Array() };
};
const scoped = (service: string) => ({ service }) as SigV4Auth;

describe("isS3Request (DESIGN decision 6)", () => {
  it.each([
    ["GET", "/", undefined, true], // ListBuckets, unsigned
    ["GET", "/?Action=GetCallerIdentity&Version=2011-06-15", undefined, false],
    ["POST", "/", undefined, false], // a Query form
    ["PUT", "/bucket", undefined, true],
    ["POST", "/", scoped("s3"), true],
    ["GET", "/bucket", scoped("sts"), false],
  ] as const)("%s %s (scope %o) → %s", (method, target, auth, s3) => {
    expect(isS3Request(req(method, target), auth as SigV4Auth | undefined)).toBe(s3);
  });
  it("S3's old signature is S3's", () => {
    expect(isS3Request(req("GET", "/", [["Authorization", "AWS AKIAEXAMPLE:c2lnbmF0dXJl"]]), undefined)).toBe(true);
  });
});

describe("s3Target (s3-spec §1.1)", () => {
  it("path style, with s3cmd's trailing slash and rclone's empty sub-resources", () => {
    expect(s3Target(req("GET", "/"))).toEqual({ bucket: undefined, key: undefined, query: new Map() });
    expect(s3Target(req("PUT", "/b/"))).toMatchObject({ bucket: "b", key: undefined });
    expect(s3Target(req("GET", "/b/a%20b/c%2Bd+e"))).toMatchObject({ bucket: "b", key: "a b/c+d+e" });
    expect(s3Target(req("POST", "/b/k?uploads=")).query).toEqual(new Map([["uploads", ""]]));
    expect(s3Target(req("GET", "/b?location")).query).toEqual(new Map([["location", ""]]));
  });
  it("virtual-hosted bucket.localhost:PORT", () => {
    expect(s3Target(req("GET", "/dir/k", [["Host", "my-bucket.localhost:4599"]]))).toMatchObject({ bucket: "my-bucket", key: "dir/k" });
    expect(s3Target(req("GET", "/", [["Host", "my-bucket.localhost:4599"]]))).toMatchObject({ bucket: "my-bucket", key: undefined });
  });
});

describe("bucket names (s3-spec §9.2)", () => {
  it.each([
    ["abc", true],
    ["my.bucket-1", true],
    ["ab", false],
    ["a".repeat(64), false],
    ["Bad_Name", false],
    ["-abc", false],
    ["a..b", false],
    ["192.168.5.4", false],
    ["xn--abc", false],
    ["abc-s3alias", false],
  ])("%s → %s", (name, ok) => expect(isValidBucketName(name)).toBe(ok));
});
