/**
 * MFA with real clients, unchanged but for --endpoint-url: the issue's acceptance flow with the
 * aws CLI (v2 at /usr/bin/aws, v1 on PATH) — a virtual device whose QR PNG is read back with
 * zbarimg, enabled with two codes, then GetSessionToken with a code, the session's identity and
 * the replayed code's error line — and, with boto3, every GetSessionToken rule and error with
 * its exact status, code and message, and what session credentials may and may not call.
 *
 * The clients sign with the real clock; the server's clock is frozen at a step start (at most
 * 29 s from real time) so codes computed from the server's step never straddle a boundary.
 */
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { base32Decode } from "../src/mfa/seed.js";
import { AWS_CLIS, awsCli, boto3, run, sdkClients, sdkError } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import * as E from "./helpers/sts-errors.js";
import { asTuple } from "./helpers/sts-errors.js";

let server: TestServer;
let root: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  server = await startTestServer();
  root = sdkClients(server.url, server.root);
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => freezeAtStepStart(server));

const ACCOUNT = "123456789012";

const INVALID_CODE_TEXT = E.INVALID_CODE.message;
const INVALID_CODE = asTuple(E.INVALID_CODE);
const NOT_ASSOCIATED = asTuple(E.NOT_ASSOCIATED);
const INCOMPLETE = asTuple(E.INCOMPLETE);
const SESSION_REFUSED = asTuple(E.SESSION_REFUSED);
const INVALID_TOKEN = asTuple(E.INVALID_TOKEN);
const EXPIRED_TOKEN = asTuple(E.EXPIRED_TOKEN);
const validation = (value: string, member: string, constraint: string): unknown[] => [
  400,
  "ValidationError",
  `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
];

/** The CLI's exit code for an error the service returned (spec §8.7). */
const serviceErrorExit = (name: string): number => (name.endsWith("v1") ? 255 : 254);

/** The CLI's stderr for a service error: CLI v1 and v2 < 2.34 print the message verbatim. */
const cliError = (code: string, operation: string, message: string): string =>
  `\nAn error occurred (${code}) when calling the ${operation} operation: ${message}\n`;

/** A six-digit code that no step within ±2 of `step` shows, so no window can accept it. */
function wrongCode(seed: Buffer, step: number): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(seed, step + d)));
  for (let n = 0; ; n++) {
    const candidate = String(n * 111_111 % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) return candidate;
  }
}

let names = 0;
const uniqueName = (base: string): string => `${base}-${++names}`;

const credsOf = (c: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }): Credentials => ({
  accessKeyId: c.AccessKeyId,
  secretAccessKey: c.SecretAccessKey,
  sessionToken: c.SessionToken,
});

/** The server's time as a frozen clock shows it, plus `seconds`, in whole seconds since the epoch. */
const serverSecondsPlus = (seconds: number): number => Math.floor(server.clock.now() / 1000) + seconds;

describe.each(AWS_CLIS)("$name", ({ name, command }) => {
  const cli = (creds: Credentials | undefined, args: string[]) => awsCli(command, server.url, creds, args);

  it("the issue's flow: QR PNG, enable-mfa-device, get-session-token with a code, the session's identity, the replayed code", async () => {
    const user = uniqueName(name.endsWith("v1") ? "alice-v1" : "alice-v2");
    const deviceName = `${user}-phone`;

    const created = await cli(server.root, ["iam", "create-user", "--user-name", user]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const userId = JSON.parse(created.stdout).User.UserId as string;
    const keyRun = await cli(server.root, ["iam", "create-access-key", "--user-name", user]);
    expect(keyRun.code).toBe(0);
    const key = JSON.parse(keyRun.stdout).AccessKey;
    const userCreds = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };

    // The CLI writes the QR PNG to the file and drops both blobs from what it prints.
    const dir = mkdtempSync(join(tmpdir(), "mfa-sts-qr-"));
    const png = join(dir, "qr.png");
    const device = await cli(server.root, [
      "iam",
      "create-virtual-mfa-device",
      "--virtual-mfa-device-name",
      deviceName,
      "--outfile",
      png,
      "--bootstrap-method",
      "QRCodePNG",
    ]);
    expect(device.stderr).toBe("");
    expect(device.code).toBe(0);
    const serial = `arn:aws:iam::${ACCOUNT}:mfa/${deviceName}`;
    expect(JSON.parse(device.stdout)).toEqual({ VirtualMFADevice: { SerialNumber: serial } });

    // What a phone camera reads: exactly AWS's documented otpauth URI; its seed makes the codes.
    const scanned = await run("zbarimg", ["--raw", "-q", png], { PATH: process.env.PATH ?? "/usr/bin:/bin" });
    expect(scanned.code).toBe(0);
    const uri = scanned.stdout.replace(/\n$/, "");
    const m = /^otpauth:\/\/totp\/([^?]+)\?secret=([A-Z2-7]+)$/.exec(uri);
    expect(m, uri).not.toBeNull();
    const base32 = m![2]!;
    expect(base32).toHaveLength(64);
    expect(uri).toBe(`otpauth://totp/${deviceName}@${ACCOUNT}?secret=${base32}`);
    const seed = base32Decode(base32);

    const step = serverStep(server);
    const enabled = await cli(server.root, [
      "iam",
      "enable-mfa-device",
      "--user-name",
      user,
      "--serial-number",
      serial,
      "--authentication-code1",
      codeAt(seed, step - 1),
      "--authentication-code2",
      codeAt(seed, step),
    ]);
    expect(enabled.stderr).toBe("");
    expect(enabled.stdout).toBe("");
    expect(enabled.code).toBe(0);

    // Thirty seconds later the app shows the next code.
    advanceSteps(server, 1);
    const code = codeAt(seed, step + 1);
    const gst = ["sts", "get-session-token", "--serial-number", serial, "--token-code", code];
    const session = await cli(userCreds, gst);
    expect(session.stderr).toBe("");
    expect(session.code).toBe(0);
    const out = JSON.parse(session.stdout);
    expect(Object.keys(out)).toEqual(["Credentials"]);
    const c = out.Credentials;
    expect(Object.keys(c)).toEqual(["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]);
    expect(c.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c.SessionToken.length).toBeGreaterThan(100);
    // An IAM user's default: 12 hours from the server's time.
    expect(Date.parse(c.Expiration) / 1000).toBe(serverSecondsPlus(43_200));
    // v1 prints the wire timestamp, v2 its own ISO form (spec §8.4).
    expect(c.Expiration).toMatch(name.endsWith("v1") ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ : /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const me = await cli(credsOf(c), ["sts", "get-caller-identity"]);
    expect(me.stderr).toBe("");
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({ UserId: userId, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/${user}` });

    const replayed = await cli(userCreds, gst);
    expect(replayed.stdout).toBe("");
    expect(replayed.stderr).toBe(cliError("AccessDenied", "GetSessionToken", INVALID_CODE_TEXT));
    expect(replayed.code).toBe(serviceErrorExit(name));
  });

  it("session credentials: no GetSessionToken, no IAM without MFA; an over-long duration is the server's ValidationError", async () => {
    const userCreds = await createUserWithKey(root.iam, uniqueName("cli-session"));
    const { Credentials: c } = await sdkClients(server.url, userCreds).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };

    const [again, iam, tooLong] = await Promise.all([
      cli(session, ["sts", "get-session-token"]),
      cli(session, ["iam", "list-users"]),
      // botocore checks only the minimum; the maximum is the server's to refuse (spec §2.4).
      cli(userCreds, ["sts", "get-session-token", "--duration-seconds", "129601"]),
    ]);
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe(cliError("AccessDenied", "GetSessionToken", "Cannot call GetSessionToken with session credentials"));
    expect(again.code).toBe(serviceErrorExit(name));

    expect(iam.stdout).toBe("");
    expect(iam.stderr).toBe(cliError("InvalidClientTokenId", "ListUsers", "The security token included in the request is invalid"));
    expect(iam.code).toBe(serviceErrorExit(name));

    expect(tooLong.stdout).toBe("");
    expect(tooLong.stderr).toBe(
      cliError(
        "ValidationError",
        "GetSessionToken",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
      ),
    );
    expect(tooLong.code).toBe(serviceErrorExit(name));
  });
});

/** Python run in the boto3 helper's process, after its prelude. */
const PY_HELPERS = [
  "def client(svc, ak, sk, tok=None, validate=True):",
  "    c = botocore.config.Config(retries={'max_attempts': 1}, parameter_validation=validate)",
  "    return boto3.session.Session(aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=tok, region_name='us-east-1').client(svc, endpoint_url=sts.meta.endpoint_url, config=c)",
  "def clients(c, validate=True):",
  "    return (client('sts', c['AccessKeyId'], c['SecretAccessKey'], c.get('SessionToken'), validate), client('iam', c['AccessKeyId'], c['SecretAccessKey'], c.get('SessionToken'), validate))",
  "def creds(r):",
  "    c = r['Credentials']",
  "    return {'AccessKeyId': c['AccessKeyId'], 'SecretAccessKey': c['SecretAccessKey'], 'SessionToken': c['SessionToken'], 'Expiration': int(c['Expiration'].timestamp())}",
  "def me(s):",
  "    r = s.get_caller_identity(); r.pop('ResponseMetadata'); return r",
  "",
].join("\n");

/** Runs `script` in one boto3 process and returns what it printed as JSON. */
async function py(creds: Credentials, script: string): Promise<Record<string, unknown>> {
  const res = await boto3(server.url, creds, PY_HELPERS + script);
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as Record<string, unknown>;
}

const pyCreds = (c: Credentials): string =>
  `{'AccessKeyId': ${JSON.stringify(c.accessKeyId)}, 'SecretAccessKey': ${JSON.stringify(c.secretAccessKey)}}`;

describe("boto3", () => {
  it("GetSessionToken's MFA rules and errors, exact status, code and message", async () => {
    const user = uniqueName("bert");
    const userCreds = await createUserWithKey(root.iam, user);
    const device = await enabledVirtualDevice(server, root.iam, user);
    const other = uniqueName("ernie");
    await createUserWithKey(root.iam, other);
    const otherDevice = await enabledVirtualDevice(server, root.iam, other);
    const step = serverStep(server);
    const next = codeAt(device.seed, step + 1);

    const out = await py(
      userCreds,
      [
        `serial = ${JSON.stringify(device.serialNumber)}`,
        `nxt = ${JSON.stringify(next)}`,
        "r = {}",
        "r['serialOnly'] = err(lambda: sts.get_session_token(SerialNumber=serial))",
        "r['codeOnly'] = err(lambda: sts.get_session_token(TokenCode=nxt))",
        // A right code for another user's device, the user's ARN, a device that does not exist:
        // not this caller's device; and none of them spends the caller's next code.
        `r['othersDevice'] = err(lambda: sts.get_session_token(SerialNumber=${JSON.stringify(otherDevice.serialNumber)}, TokenCode=${JSON.stringify(codeAt(otherDevice.seed, step + 1))}))`,
        `r['userArn'] = err(lambda: sts.get_session_token(SerialNumber='arn:aws:iam::${ACCOUNT}:user/${user}', TokenCode=nxt))`,
        `r['noDevice'] = err(lambda: sts.get_session_token(SerialNumber='arn:aws:iam::${ACCOUNT}:mfa/no-such-device', TokenCode=nxt))`,
        "r['letters'] = err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode='abcdef'))",
        `r['wrong'] = err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=${JSON.stringify(wrongCode(device.seed, step))}))`,
        // The code of the step EnableMFADevice accepted last, and one two steps ahead.
        `r['enableCode'] = err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=${JSON.stringify(codeAt(device.seed, step))}))`,
        `r['tooEarly'] = err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=${JSON.stringify(codeAt(device.seed, step + 2))}))`,
        "r['ok'] = creds(sts.get_session_token(SerialNumber=serial, TokenCode=nxt, DurationSeconds=900))",
        "r['replayed'] = err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=nxt))",
        "print(json.dumps(r))",
      ].join("\n"),
    );
    expect(out).toEqual({
      serialOnly: INCOMPLETE,
      codeOnly: INCOMPLETE,
      othersDevice: NOT_ASSOCIATED,
      userArn: NOT_ASSOCIATED,
      noDevice: NOT_ASSOCIATED,
      letters: validation("abcdef", "tokenCode", "Member must satisfy regular expression pattern: [\\d]*"),
      wrong: INVALID_CODE,
      enableCode: INVALID_CODE,
      tooEarly: INVALID_CODE,
      ok: expect.objectContaining({ AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/), Expiration: serverSecondsPlus(900) }),
      replayed: INVALID_CODE,
    });
  });

  it("DurationSeconds: an IAM user's bounds and default; the root user's one-hour default and silent cap", async () => {
    const userCreds = await createUserWithKey(root.iam, uniqueName("dur"));
    const out = await py(
      server.root,
      [
        `u, _ = clients(${pyCreds(userCreds)})`,
        `unchecked, _ = clients(${pyCreds(userCreds)}, validate=False)`,
        "r = {}",
        "r['userDefault'] = creds(u.get_session_token())['Expiration']",
        "r['user900'] = creds(u.get_session_token(DurationSeconds=900))['Expiration']",
        "r['user129600'] = creds(u.get_session_token(DurationSeconds=129600))['Expiration']",
        "r['user129601'] = err(lambda: u.get_session_token(DurationSeconds=129601))",
        // botocore refuses 899 itself; without its validation the server's answer shows.
        "r['user899'] = err(lambda: unchecked.get_session_token(DurationSeconds=899))",
        "r['rootDefault'] = creds(sts.get_session_token())['Expiration']",
        "r['root900'] = creds(sts.get_session_token(DurationSeconds=900))['Expiration']",
        "r['root7200'] = creds(sts.get_session_token(DurationSeconds=7200))['Expiration']",
        "r['root129600'] = creds(sts.get_session_token(DurationSeconds=129600))['Expiration']",
        "print(json.dumps(r))",
      ].join("\n"),
    );
    expect(out).toEqual({
      userDefault: serverSecondsPlus(43_200),
      user900: serverSecondsPlus(900),
      user129600: serverSecondsPlus(129_600),
      user129601: validation("129601", "durationSeconds", "Member must have value less than or equal to 129600"),
      user899: validation("899", "durationSeconds", "Member must have value greater than or equal to 900"),
      rootDefault: serverSecondsPlus(3_600),
      root900: serverSecondsPlus(900),
      root7200: serverSecondsPlus(3_600),
      root129600: serverSecondsPlus(3_600),
    });
  });

  it("what session credentials may call, and every way a session token is refused", async () => {
    const user = uniqueName("sess");
    const userCreds = await createUserWithKey(root.iam, user);
    const device = await enabledVirtualDevice(server, root.iam, user);
    const userId = (await sdkClients(server.url, userCreds).sts.send(new GetCallerIdentityCommand({}))).UserId!;
    const code = codeAt(device.seed, serverStep(server) + 1);

    const out = await py(
      server.root,
      [
        `u, _ = clients(${pyCreds(userCreds)})`,
        "plain = creds(u.get_session_token())",
        "plain2 = creds(u.get_session_token())",
        `withMfa = creds(u.get_session_token(SerialNumber=${JSON.stringify(device.serialNumber)}, TokenCode=${JSON.stringify(code)}))`,
        "rootPlain = creds(sts.get_session_token())",
        "ps, pi = clients(plain)",
        "ms, mi = clients(withMfa)",
        "rs, ri = clients(rootPlain)",
        "r = {}",
        "r['plainMe'] = me(ps)",
        "r['plainGst'] = err(lambda: ps.get_session_token())",
        "r['plainIam'] = err(lambda: pi.list_users())",
        "r['mfaMe'] = me(ms)",
        "r['mfaGst'] = err(lambda: ms.get_session_token())",
        "r['mfaIam'] = err(lambda: mi.list_users())",
        "r['rootMe'] = me(rs)",
        "r['rootGst'] = err(lambda: rs.get_session_token())",
        "r['rootIam'] = err(lambda: ri.list_users())",
        // An ASIA key without its token; its token with one base64 character in the middle changed;
        // a token next to another session's key (and secret).
        "r['noToken'] = err(lambda: client('sts', plain['AccessKeyId'], plain['SecretAccessKey']).get_caller_identity())",
        "t = plain['SessionToken']; i = len(t) // 2",
        "bad = t[:i] + ('B' if t[i] == 'A' else 'A') + t[i + 1:]",
        "r['tampered'] = err(lambda: client('sts', plain['AccessKeyId'], plain['SecretAccessKey'], bad).get_caller_identity())",
        "r['swapped'] = err(lambda: client('sts', plain2['AccessKeyId'], plain2['SecretAccessKey'], plain['SessionToken']).get_caller_identity())",
        "r['swappedIam'] = err(lambda: client('iam', plain['AccessKeyId'], plain['SecretAccessKey'], withMfa['SessionToken']).list_users())",
        "print(json.dumps(r))",
      ].join("\n"),
    );
    const userArn = `arn:aws:iam::${ACCOUNT}:user/${user}`;
    expect(out).toEqual({
      plainMe: { UserId: userId, Account: ACCOUNT, Arn: userArn },
      plainGst: SESSION_REFUSED,
      plainIam: INVALID_TOKEN,
      mfaMe: { UserId: userId, Account: ACCOUNT, Arn: userArn },
      mfaGst: SESSION_REFUSED,
      mfaIam: [403, "AccessDenied", `User: ${userArn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action`],
      rootMe: { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` },
      rootGst: SESSION_REFUSED,
      rootIam: INVALID_TOKEN,
      noToken: INVALID_TOKEN,
      tampered: INVALID_TOKEN,
      swapped: INVALID_TOKEN,
      swappedIam: INVALID_TOKEN,
    });
    expect(userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it("a session outlives its deactivated and deleted source key, follows its renamed user at once, and ends with its deleted user", async () => {
    const user = uniqueName("revoke");
    const userCreds = await createUserWithKey(root.iam, user);
    const out = await py(
      server.root,
      [
        `u, _ = clients(${pyCreds(userCreds)})`,
        "s, _ = clients(creds(u.get_session_token()))",
        "r = {}",
        `iam.update_access_key(UserName=${JSON.stringify(user)}, AccessKeyId=${JSON.stringify(userCreds.accessKeyId)}, Status='Inactive')`,
        "r['keyInactive'] = me(s)['Arn']",
        `iam.delete_access_key(UserName=${JSON.stringify(user)}, AccessKeyId=${JSON.stringify(userCreds.accessKeyId)})`,
        "r['keyDeleted'] = me(s)['Arn']",
        `iam.update_user(UserName=${JSON.stringify(user)}, NewUserName=${JSON.stringify(`${user}-renamed`)})`,
        "r['userRenamed'] = me(s)['Arn']",
        `iam.delete_user(UserName=${JSON.stringify(`${user}-renamed`)})`,
        "r['userDeleted'] = err(lambda: s.get_caller_identity())",
        "print(json.dumps(r))",
      ].join("\n"),
    );
    const userArn = `arn:aws:iam::${ACCOUNT}:user/${user}`;
    expect(out).toEqual({ keyInactive: userArn, keyDeleted: userArn, userRenamed: `${userArn}-renamed`, userDeleted: INVALID_TOKEN });
  });

  it("a session is refused with ExpiredToken from its Expiration on", async () => {
    const userCreds = await createUserWithKey(root.iam, uniqueName("exp"));
    // Ten minutes behind real time: the session then ends five minutes ahead of it, and moving the
    // server just past that stays inside SigV4's ±15 minutes for requests signed now.
    server.clock.fixedMs = Math.floor(Date.now() / 1000) * 1000 - 600_000;
    const got = await py(userCreds, "print(json.dumps(creds(sts.get_session_token(DurationSeconds=900))))");
    const expiration = got.Expiration as number;
    expect(expiration).toBe(serverSecondsPlus(900));
    const session = credsOf(got as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string });

    server.clock.fixedMs = (expiration - 1) * 1000;
    expect((await sdkClients(server.url, session).sts.send(new GetCallerIdentityCommand({}))).Arn).toMatch(/:user\/exp-/);

    server.clock.fixedMs = (expiration + 1) * 1000;
    const out = await py(
      session,
      [
        "r = {}",
        "r['sts'] = err(lambda: sts.get_caller_identity())",
        "r['gst'] = err(lambda: sts.get_session_token())",
        "r['iam'] = err(lambda: iam.list_users())",
        "print(json.dumps(r))",
      ].join("\n"),
    );
    expect(out).toEqual({ sts: EXPIRED_TOKEN, gst: EXPIRED_TOKEN, iam: EXPIRED_TOKEN });

    // From the Expiration instant itself.
    server.clock.fixedMs = expiration * 1000;
    expect(await sdkError(sdkClients(server.url, session).sts.send(new GetCallerIdentityCommand({})))).toEqual({
      status: 403,
      code: "ExpiredToken",
      message: "The security token included in the request is expired",
    });
  });
});
