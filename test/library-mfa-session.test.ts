/**
 * fromMfaSession (issue 15 item 3) through @aws-sdk/client-sts against a started server: one
 * prompt per session, written into [P] as `login` writes it; reused by a new process; renewed with
 * a new code once the (injected) clock is within the margin of expiry; one prompt and one
 * GetSessionToken however many requests wait on a cold provider; `login`'s used-code cache and
 * sessions shared both ways with the real `mfa-sts login`.
 *
 * GetSessionToken calls are counted by a pass-through proxy in front of the server: the provider's
 * endpoint is the proxy, so what is counted is what went over the wire.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIni } from "../src/client/ini.js";
import { fromMfaSession, MfaSessionError, startServer, type MfaSessionOptions, type MfaStsServer, type MfaStsUser } from "../src/index.js";
import { run } from "./helpers/clients.js";
import { BIN } from "./helpers/cli.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
let now = Date.now();
const clock = () => now;
let srv: MfaStsServer;
let proxy: Server;
let proxyUrl: string;
/** GetSessionToken requests that reached the server. */
let getSessionTokens = 0;
let home: string;
let credentialsFile: string;
let configFile: string;
const savedCacheHome = process.env.XDG_CACHE_HOME;

/** The file as a user keeps it: a comment and another profile that must survive every write. */
const PREAMBLE = "# my keys — keep this comment\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = keep-me\n";

beforeAll(async () => {
  srv = await startServer({ clock });
  // The signature covers the Host header: it is passed on as the client sent it.
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.toString().includes("Action=GetSessionToken")) getSessionTokens++;
      const upstream = new URL(srv.url);
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  home = mkdtempSync(join(tmpdir(), "mfa-sts-home-"));
  credentialsFile = join(home, ".aws", "credentials");
  configFile = join(home, ".aws", "config");
  // The used-code cache of this process (login's, under XDG_CACHE_HOME) goes into the test's home.
  process.env.XDG_CACHE_HOME = join(home, ".cache");
  mkdirSync(join(home, ".aws"));
  writeFileSync(credentialsFile, PREAMBLE);
  writeFileSync(configFile, "");
});
afterAll(async () => {
  if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCacheHome;
  proxy?.close();
  await srv?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Adds a session profile `name` for `user` as a login user sets one up: long-term keys and, with a device, mfa_serial. */
function addProfile(name: string, user: MfaStsUser): void {
  writeFileSync(credentialsFile, `${readFileSync(credentialsFile, "utf8")}[${name}-long-term]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`);
  const device = user.mfaSerial === undefined ? "" : `mfa_serial = ${user.mfaSerial}\n`;
  writeFileSync(configFile, `${readFileSync(configFile, "utf8")}[profile ${name}]\nregion = us-east-1\n${device}`);
}

/** A provider for `profile` on the test's files, through the counting proxy, on the test's clock; prompts are counted. */
function provider(profile: string, user: MfaStsUser, extra: Partial<MfaSessionOptions> = {}) {
  const prompts: string[] = [];
  const credentials = fromMfaSession({
    profile,
    filepath: credentialsFile,
    configFilepath: configFile,
    endpoint: proxyUrl,
    clock,
    mfaCodeProvider: async (serial) => {
      prompts.push(serial);
      // Let the other waiting callers run before answering, as a person typing would.
      await new Promise((resolve) => setImmediate(resolve));
      return user.code();
    },
    ...extra,
  });
  return { credentials, prompts };
}

const stsWith = (credentials: AwsCredentialIdentityProvider) =>
  new STSClient({ endpoint: srv.url, region: "us-east-1", credentials, maxAttempts: 1, systemClockOffset: now - Date.now() });

const section = (name: string) => parseIni(readFileSync(credentialsFile, "utf8")).get(name) as Record<string, string> | undefined;

describe("one prompt per session", () => {
  let alice: MfaStsUser;
  beforeAll(async () => {
    alice = await srv.createUser("alice", { mfa: true });
    addProfile("alice", alice);
  });

  it("the first call prompts once, calls GetSessionToken once and writes [P] with a minimal edit", async () => {
    const before = readFileSync(credentialsFile, "utf8");
    const calls = getSessionTokens;
    const { credentials, prompts } = provider("alice", alice);
    const identity = await stsWith(credentials).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(alice.arn);
    expect(prompts).toEqual([alice.mfaSerial]);
    expect(getSessionTokens - calls).toBe(1);

    const after = readFileSync(credentialsFile, "utf8");
    expect(after.startsWith(before)).toBe(true);
    const written = section("alice")!;
    expect(Object.keys(written)).toEqual(["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_credential_expiration", "mfa_sts_mfa_serial"]);
    expect(written.aws_access_key_id).toMatch(/^ASIA/);
    expect(written.mfa_sts_mfa_serial).toBe(alice.mfaSerial);
    expect(written.aws_credential_expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const given = await credentials();
    expect(given).toEqual({
      accessKeyId: written.aws_access_key_id,
      secretAccessKey: written.aws_secret_access_key,
      sessionToken: written.aws_session_token,
      expiration: new Date(written.aws_credential_expiration!),
    });
    // The default duration is AWS's: 12 hours.
    expect(given.expiration.getTime() - now).toBeGreaterThan(11.9 * 3600_000);
    expect(prompts).toHaveLength(1);
  });

  it("a second provider in a new process reuses [P] without prompting (profile, files, endpoint from the environment)", async () => {
    const calls = getSessionTokens;
    const script = `
      import { fromMfaSession } from "mfa-sts";
      import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
      const credentials = fromMfaSession({ mfaCodeProvider: () => { console.log("PROMPTED"); throw new Error("no prompt expected"); } });
      const identity = await new STSClient({ region: "us-east-1", credentials }).send(new GetCallerIdentityCommand({}));
      console.log(JSON.stringify({ arn: identity.Arn, key: (await credentials()).accessKeyId }));
    `;
    const result = await run(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        XDG_CACHE_HOME: join(home, ".cache"),
        AWS_PROFILE: "alice",
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_CONFIG_FILE: configFile,
        AWS_ENDPOINT_URL: proxyUrl,
        AWS_EC2_METADATA_DISABLED: "true",
      },
      undefined,
      REPO,
    );
    expect(result.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/, "")).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ arn: alice.arn, key: section("alice")!.aws_access_key_id });
    expect(getSessionTokens - calls).toBe(0);
  });

  it("with the clock within the margin of expiry it renews with a new code; just outside it does not", async () => {
    const old = section("alice")!;
    const expiresAt = Date.parse(old.aws_credential_expiration!);
    const { credentials, prompts } = provider("alice", alice);

    now = expiresAt - 301_000;
    expect((await credentials()).accessKeyId).toBe(old.aws_access_key_id);
    expect(prompts).toHaveLength(0);

    const calls = getSessionTokens;
    now = expiresAt - 299_000;
    const renewed = await credentials();
    expect(prompts).toHaveLength(1);
    expect(getSessionTokens - calls).toBe(1);
    expect(renewed.accessKeyId).not.toBe(old.aws_access_key_id);
    expect(section("alice")!.aws_access_key_id).toBe(renewed.accessKeyId);
    expect(renewed.expiration.getTime() - now).toBeGreaterThan(11.9 * 3600_000);
    expect((await stsWith(credentials).send(new GetCallerIdentityCommand({}))).Arn).toBe(alice.arn);
    // The file's other bytes are still there.
    expect(readFileSync(credentialsFile, "utf8").startsWith(PREAMBLE)).toBe(true);
  });

  it("refreshMarginSeconds moves the margin", async () => {
    const current = section("alice")!;
    const { credentials, prompts } = provider("alice", alice, { refreshMarginSeconds: 3600 });
    now = Date.parse(current.aws_credential_expiration!) - 3599_000;
    expect((await credentials()).accessKeyId).not.toBe(current.aws_access_key_id);
    expect(prompts).toHaveLength(1);
  });
});

describe("concurrency", () => {
  it("ten concurrent send()s on a cold provider: one prompt, one GetSessionToken", async () => {
    now = Date.now();
    const bob = await srv.createUser("bob", { mfa: true });
    addProfile("bob", bob);
    const calls = getSessionTokens;
    const { credentials, prompts } = provider("bob", bob);
    const sts = stsWith(credentials);
    const identities = await Promise.all(Array.from({ length: 10 }, () => sts.send(new GetCallerIdentityCommand({}))));
    expect(identities.map((i) => i.Arn)).toEqual(Array(10).fill(bob.arn));
    expect(prompts).toHaveLength(1);
    expect(getSessionTokens - calls).toBe(1);
  });

  it("ten concurrent calls on two provider instances of one profile (no SDK in between): one prompt, one GetSessionToken", async () => {
    const carol = await srv.createUser("carol", { mfa: true });
    addProfile("carol", carol);
    const calls = getSessionTokens;
    const first = provider("carol", carol);
    const second = provider("carol", carol);
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? first : second).credentials()));
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(first.prompts.length + second.prompts.length).toBe(1);
    expect(getSessionTokens - calls).toBe(1);
  });
});

describe("errors", () => {
  it("an MFA device without mfaCodeProvider: a clear error, nothing sent", async () => {
    now = Date.now();
    const dave = await srv.createUser("dave", { mfa: true });
    addProfile("dave", dave);
    const calls = getSessionTokens;
    const credentials = fromMfaSession({ profile: "dave", filepath: credentialsFile, configFilepath: configFile, endpoint: proxyUrl, clock });
    const error = await credentials().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaSessionError);
    expect((error as Error).message).toBe(
      `[dave] needs a new session and its MFA device ${dave.mfaSerial} needs a code: give fromMfaSession an mfaCodeProvider (serial => code).`,
    );
    expect(getSessionTokens - calls).toBe(0);
    expect(section("dave")).toBeUndefined();
  });

  it("no MFA device configured: a session without MFA, no prompt", async () => {
    const erin = await srv.createUser("erin");
    addProfile("erin", erin);
    const { credentials, prompts } = provider("erin", erin);
    expect((await stsWith(credentials).send(new GetCallerIdentityCommand({}))).Arn).toBe(erin.arn);
    expect(prompts).toHaveLength(0);
    expect(section("erin")!.aws_access_key_id).toMatch(/^ASIA/);
  });

  it("a wrong code: STS's answer with login's hint, its code on the error, [P] untouched", async () => {
    const frank = await srv.createUser("frank", { mfa: true });
    addProfile("frank", frank);
    const credentials = fromMfaSession({ profile: "frank", filepath: credentialsFile, configFilepath: configFile, endpoint: proxyUrl, clock, mfaCodeProvider: () => "000000" });
    const error = (await credentials().catch((e: unknown) => e)) as MfaSessionError;
    expect(error).toBeInstanceOf(MfaSessionError);
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toMatch(
      /^An error occurred \(AccessDenied\) when calling the GetSessionToken operation: MultiFactorAuthentication failed with invalid MFA one time pass code\. /,
    );
    expect(section("frank")).toBeUndefined();
  });

  it("long-term keys missing: login's hint", async () => {
    writeFileSync(configFile, `${readFileSync(configFile, "utf8")}[profile ghost]\nregion = us-east-1\n`);
    const credentials = fromMfaSession({ profile: "ghost", filepath: credentialsFile, configFilepath: configFile, endpoint: proxyUrl, clock });
    await expect(credentials()).rejects.toThrow(/\[ghost-long-term\]/);
  });
});

describe("shared with the mfa-sts CLI", () => {
  const cliEnv = () => ({
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CACHE_HOME: join(home, ".cache"),
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    AWS_ENDPOINT_URL_STS: proxyUrl,
  });

  it("a session written by `mfa-sts login` is used without a prompt", async () => {
    now = Date.now();
    const grace = await srv.createUser("grace", { mfa: true });
    addProfile("grace", grace);
    const login = await run(process.execPath, [BIN, "login", "--profile", "grace", "--token-code", await grace.code()], cliEnv());
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    const { credentials, prompts } = provider("grace", grace);
    expect((await credentials()).accessKeyId).toBe(section("grace")!.aws_access_key_id);
    expect(prompts).toHaveLength(0);
  });

  it("a code fromMfaSession spent is refused by `mfa-sts login`, and one login spent is refused by fromMfaSession, before STS", async () => {
    now = Date.now();
    const heidi = await srv.createUser("heidi", { mfa: true });
    addProfile("heidi", heidi);
    // A second session profile of the same user and device (say, one per region).
    addProfile("heidi-eu", heidi);

    const spent: string[] = [];
    const credentials = fromMfaSession({
      profile: "heidi",
      filepath: credentialsFile,
      configFilepath: configFile,
      endpoint: proxyUrl,
      clock,
      mfaCodeProvider: async () => {
        spent.push(await heidi.code());
        return spent.at(-1)!;
      },
    });
    await credentials();
    const calls = getSessionTokens;
    const login = await run(process.execPath, [BIN, "login", "--profile", "heidi-eu", "--token-code", spent[0]!], cliEnv());
    expect(login.code).toBe(252);
    expect(login.stderr).toContain(`The code ${spent[0]} was already used for ${heidi.mfaSerial} at `);
    expect(getSessionTokens - calls).toBe(0);

    const again = fromMfaSession({ profile: "heidi-eu", filepath: credentialsFile, configFilepath: configFile, endpoint: proxyUrl, clock, mfaCodeProvider: () => spent[0]! });
    const error = await again().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaSessionError);
    expect((error as Error).message).toContain(`The code ${spent[0]} was already used for ${heidi.mfaSerial} at `);
    expect(getSessionTokens - calls).toBe(0);
  });
});

describe("role profiles (role_arn + source_profile), as issue 14 asks of fromMfaSession", () => {
  it("one prompt for the source's MFA session, one AssumeRole for five waiting calls, then the aws CLI's cache without a call", async () => {
    now = Date.now();
    const savedHome = process.env.HOME;
    process.env.HOME = home; // the aws CLI's cache is ~/.aws/cli/cache
    try {
      const dora = await srv.createUser("dora", { mfa: true });
      addProfile("dora", dora);
      const { IAMClient, CreateRoleCommand } = await import("@aws-sdk/client-iam");
      const trust = { Effect: "Allow", Principal: { AWS: dora.arn }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } };
      await new IAMClient({ endpoint: srv.url, region: "us-east-1", credentials: srv.root }).send(
        new CreateRoleCommand({ RoleName: "lib-role", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [trust] }) }),
      );
      writeFileSync(
        configFile,
        `${readFileSync(configFile, "utf8")}[profile lib-role]\nrole_arn = arn:aws:iam::${srv.accountId}:role/lib-role\nsource_profile = dora\nmfa_serial = ${dora.mfaSerial}\n`,
      );
      const calls = getSessionTokens;
      const { credentials, prompts } = provider("lib-role", dora);
      const answers = await Promise.all(Array.from({ length: 5 }, () => credentials()));
      expect(prompts).toEqual([dora.mfaSerial]);
      expect(getSessionTokens - calls).toBe(1);
      expect(new Set(answers.map((c) => c.accessKeyId)).size).toBe(1);
      expect((await stsWith(credentials).send(new GetCallerIdentityCommand({}))).Arn).toMatch(/:assumed-role\/lib-role\/mfa-sts-session-\d+$/);
      // Another provider (another process) takes them from the aws CLI's cache: no prompt, no call.
      const again = provider("lib-role", dora);
      expect((await again.credentials()).accessKeyId).toBe(answers[0]!.accessKeyId);
      expect(again.prompts).toEqual([]);
      expect(getSessionTokens - calls).toBe(1);
    } finally {
      if (savedHome === undefined) delete process.env.HOME;
      else process.env.HOME = savedHome;
    }
  });
});
