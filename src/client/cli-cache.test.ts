import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  cacheFileText,
  cliCacheKey,
  cliCachePath,
  parseCacheTimestamp,
  profileAssumeRoleArgs,
  readCachedRole,
  writeCachedRole,
  type AssumeRoleResult,
} from "./cli-cache.js";
import { readSharedFiles, type ClientEnvironment } from "./config.js";
import { resolveRoleChain } from "./role-profiles.js";

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "mfa-sts-cli-cache-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const ACCOUNT = "123456789012";

describe("the cache key", () => {
  it("the three keys captured from aws CLI v1 (spec §8.1), and the one moto's run gave", () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/R`;
    const mfa = `arn:aws:iam::${ACCOUNT}:mfa/alice`;
    expect(cliCacheKey(profileAssumeRoleArgs({ roleArn: role, mfaSerial: mfa }))).toBe("225c1efb824b6596118acb389c798e64b4639481");
    expect(
      cliCacheKey(profileAssumeRoleArgs({ roleArn: role, mfaSerial: mfa, roleSessionName: "alice", externalId: "ext-123", durationSeconds: 900 })),
    ).toBe("ffe24feae4deff5bfdedf45ae5198b60b012ef55");
    expect(cliCacheKey(profileAssumeRoleArgs({ roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` }))).toBe("51e7b105b5040ce662656c8dc6ab4de70c4de7ad");
    expect(cliCacheKey(profileAssumeRoleArgs({ roleArn: role }))).toBe("c03ce438bc208f6214854d85d3ca930ff73e3004");
  });

  it("lives in ~/.aws/cli/cache whatever AWS_CONFIG_FILE says", () => {
    const ce: ClientEnvironment = { env: { AWS_CONFIG_FILE: "/elsewhere/config" }, home: "/home/alice", cwd: "/" };
    expect(cliCachePath(ce, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` })).toBe(
      "/home/alice/.aws/cli/cache/51e7b105b5040ce662656c8dc6ab4de70c4de7ad.json",
    );
  });

  it("equals botocore's own key for the same config files (differential, incl. odd values)", () => {
    const profiles: Record<string, string> = {
      plain: "",
      mfa: `mfa_serial = arn:aws:iam::${ACCOUNT}:mfa/alice\n`,
      everything: `mfa_serial = GAHT12345678\nrole_session_name = alice@example.com\nexternal_id = ext-123\nduration_seconds = 900\n`,
      "empty-name": "role_session_name =\n",
      "spaced-duration": "duration_seconds =  1_800\n",
      "signed-duration": "duration_seconds = +3600\n",
      "bad-duration": "duration_seconds = 12abc\n",
      unicode: "external_id = ünïcødé-😀\nrole_session_name = sess\n",
      "inline-hash": "external_id = abc # not a comment\n",
      "key-case": "Role_Session_Name = Mixed\n",
    };
    // A property: random external ids and session names from a wide alphabet.
    const chars = fc.constantFrom(..."aZ09+=,.@-_/:é€😀 \"'\\".split(""));
    const value = fc.array(chars, { minLength: 2, maxLength: 12 }).map((cs) => cs.join("").trim()).filter((v) => v.length >= 2);
    fc.sample(fc.tuple(value, value), { numRuns: 25, seed: 7 }).forEach(([externalId, name], i) => {
      profiles[`random-${i}`] = `external_id = ${externalId}\nrole_session_name = ${name}\n`;
    });

    const dir = tempDir();
    const config = join(dir, "config");
    const credentials = join(dir, "credentials");
    writeFileSync(
      config,
      Object.entries(profiles)
        .map(([name, extra]) => `[profile ${name}]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/R-${name}\nsource_profile = src\n${extra}`)
        .join("\n"),
    );
    writeFileSync(credentials, "[src]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n");
    const env = { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };

    const script = [
      "import json, sys, botocore.session",
      "out = []",
      "for name in json.load(sys.stdin):",
      "    provider = botocore.session.Session(profile=name).get_component('credential_provider').get_provider('assume-role')",
      "    refresh = provider.load()._refresh_using",
      "    refresh = getattr(refresh, '_refresh', refresh)  # wrapped when mfa_serial is set",
      "    out.append(refresh.__self__._cache_key)",
      "print(json.dumps(out))",
    ].join("\n");
    const names = Object.keys(profiles);
    const r = spawnSync("python3", ["-c", script], {
      input: JSON.stringify(names),
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: dir, PYTHONUTF8: "1", ...env },
    });
    expect(r.stderr).toBe("");
    const botocore = JSON.parse(r.stdout) as string[];

    const files = readSharedFiles({ env, home: dir, cwd: dir });
    const ours = names.map((name) => cliCacheKey(profileAssumeRoleArgs(resolveRoleChain(files, name, "-long-term").roles.at(-1)!)));
    expect(ours).toEqual(botocore);
    expect(new Set(ours).size).toBe(names.length);
  });
});

const RESPONSE: AssumeRoleResult = {
  result: {
    Credentials: {
      AccessKeyId: "ASIAIOSFODNN7EXAMPLE",
      SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
      SessionToken: "IQoJb3JpZ2luX2VjEXAMPLE+/=",
      Expiration: "2026-12-03T07:38:23Z",
    },
    AssumedRoleUser: { AssumedRoleId: "AROAR42TAWARILN3MNKUT:botocore-session-1796279903", Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/botocore-session-1796279903` },
  },
  metadata: {
    fromBody: { RequestId: "d9d47248-fd55-4686-ad7c-0fb7cd1cddd7" },
    status: 200,
    headers: { "x-amzn-requestid": "d9d47248-fd55-4686-ad7c-0fb7cd1cddd7", "content-type": "text/xml", "content-length": "1058", date: "Thu, 03 Dec 2026 06:38:23 GMT" },
    retryAttempts: 0,
  },
};

describe("the cache file", () => {
  it("is the response on one line as aws CLI v1 writes it: AccountId added, ResponseMetadata kept", () => {
    expect(cacheFileText(RESPONSE)).toBe(
      '{"Credentials": {"AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", ' +
        '"SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE+/=", "Expiration": "2026-12-03T07:38:23Z", "AccountId": "123456789012"}, ' +
        '"AssumedRoleUser": {"AssumedRoleId": "AROAR42TAWARILN3MNKUT:botocore-session-1796279903", ' +
        '"Arn": "arn:aws:sts::123456789012:assumed-role/R/botocore-session-1796279903"}, ' +
        '"ResponseMetadata": {"RequestId": "d9d47248-fd55-4686-ad7c-0fb7cd1cddd7", "HTTPStatusCode": 200, ' +
        '"HTTPHeaders": {"x-amzn-requestid": "d9d47248-fd55-4686-ad7c-0fb7cd1cddd7", "content-type": "text/xml", "content-length": "1058", ' +
        '"date": "Thu, 03 Dec 2026 06:38:23 GMT"}, "RetryAttempts": 0}}',
    );
  });

  it("keeps PackedPolicySize in model order, and adds no AccountId to an Arn botocore cannot parse", () => {
    const response: AssumeRoleResult = {
      ...RESPONSE,
      result: { ...RESPONSE.result, AssumedRoleUser: { AssumedRoleId: "AROA:x", Arn: "not-an-arn" }, PackedPolicySize: 16 },
    };
    const text = cacheFileText(response);
    expect(text).toContain('"Expiration": "2026-12-03T07:38:23Z"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:x", "Arn": "not-an-arn"}, "PackedPolicySize": 16, "ResponseMetadata"');
  });

  it("reads back what it writes, and what aws CLI v2 writes (…+00:00, no AccountId)", () => {
    const dir = tempDir();
    const v1 = join(dir, "v1.json");
    const v2 = join(dir, "v2.json");
    writeFileSync(v1, cacheFileText(RESPONSE));
    writeFileSync(
      v2,
      '{"Credentials": {"AccessKeyId": "ASIARZPUZDIKJOJ7MA2Z", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-12-03T14:33:57.947470+00:00"}, ' +
        '"AssumedRoleUser": {"AssumedRoleId": "AROA3X42LBCDEOA5PD5ID:x", "Arn": "arn:aws:sts::123456789012:assumed-role/R2/x"}}',
    );
    expect(readCachedRole(v1)).toEqual({
      accessKeyId: "ASIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
      sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE+/=",
      expiresAt: Date.UTC(2026, 11, 3, 7, 38, 23),
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/botocore-session-1796279903`,
    });
    expect(readCachedRole(v2)?.expiresAt).toBe(Date.UTC(2026, 11, 3, 14, 33, 57, 947));
  });

  it("a missing, damaged or incomplete file is a miss, never an error", () => {
    const dir = tempDir();
    const damaged = join(dir, "damaged.json");
    const incomplete = join(dir, "incomplete.json");
    writeFileSync(damaged, '{"Credentials": {"AccessKeyId"');
    writeFileSync(incomplete, '{"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "soon"}}');
    expect(readCachedRole(join(dir, "missing.json"))).toBeUndefined();
    expect(readCachedRole(damaged)).toBeUndefined();
    expect(readCachedRole(incomplete)).toBeUndefined();
  });

  it("timestamps in every form the CLI's dateutil reads from its files", () => {
    const at = Date.UTC(2026, 11, 3, 7, 38, 23);
    expect(parseCacheTimestamp("2026-12-03T07:38:23Z")).toBe(at);
    expect(parseCacheTimestamp("2026-12-03T07:38:23+00:00")).toBe(at);
    expect(parseCacheTimestamp("2026-12-03T07:38:23UTC")).toBe(at);
    expect(parseCacheTimestamp("2026-12-03T09:38:23+0200")).toBe(at);
    expect(parseCacheTimestamp("2026-12-03T02:38:23.500-05:00")).toBe(at + 500);
    expect(parseCacheTimestamp("tomorrow")).toBeNaN();
  });

  it("is written 0600 and atomically: no temporary file left, a 0644 file made 0600", async () => {
    const dir = tempDir();
    const cache = join(dir, ".aws", "cli", "cache");
    const path = join(cache, "51e7b105b5040ce662656c8dc6ab4de70c4de7ad.json");
    await writeCachedRole(path, "first");
    expect(readFileSync(path, "utf8")).toBe("first");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    chmodSync(path, 0o644);
    // A temporary file a killed writer left behind (its pid is not alive) is cleaned up.
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, "51e7b105b5040ce662656c8dc6ab4de70c4de7ad.json.tmp-999999999-0123456789ab"), "torn");
    await writeCachedRole(path, "second");
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(cache)).toEqual(["51e7b105b5040ce662656c8dc6ab4de70c4de7ad.json"]);
  });
});
