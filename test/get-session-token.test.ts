/**
 * GetSessionToken end to end with @aws-sdk/client-sts and -iam (and raw signed requests for what
 * the SDK will not send): durations, MFA, replay, and what the session credentials may call.
 * The server's clock is frozen at a step start, so codes never straddle a step boundary.
 */
import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, GetSessionTokenCommand, type Credentials as StsCredentials } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cryptoRandom } from "../src/ids.js";
import { registerHardwareToken } from "../src/iam/mfa-devices.js";
import { openDataDir } from "../src/server/data-dir.js";
import { sdkClients, sdkError } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { errorOf, signedFetch } from "./helpers/signed-fetch.js";
import { INCOMPLETE, INVALID_CODE, INVALID_TOKEN, NOT_ASSOCIATED } from "./helpers/sts-errors.js";

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

let userCount = 0;
const uniqueName = (base: string): string => `${base}-${++userCount}`;

const asCredentials = (c: StsCredentials | undefined): Credentials => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken!,
});

/** Raw GetSessionToken body, for parameters the SDK would not send as they are. */
const gstBody = (params: Record<string, string> = {}): string =>
  new URLSearchParams({ Action: "GetSessionToken", Version: "2011-06-15", ...params }).toString();

describe("GetSessionToken without MFA", () => {
  it("gives an IAM user ASIA credentials for 12 hours by default, which identify as the user", async () => {
    const creds = await createUserWithKey(root.iam, uniqueName("alice"));
    const before = server.clock.now();
    const { Credentials: c } = await sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand({}));
    expect(c!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(c!.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(c!.SessionToken!.length).toBeGreaterThan(100);
    expect(c!.Expiration!.getTime()).toBe(Math.floor((before + 43_200_000) / 1000) * 1000);

    const me = await sdkClients(server.url, asCredentials(c)).sts.send(new GetCallerIdentityCommand({}));
    const long = await sdkClients(server.url, creds).sts.send(new GetCallerIdentityCommand({}));
    expect({ Arn: me.Arn, UserId: me.UserId, Account: me.Account }).toEqual({
      Arn: long.Arn,
      UserId: long.UserId,
      Account: server.accountId,
    });
    expect(me.UserId).toMatch(/^AIDA/);
  });
});

describe("GetSessionToken durations", () => {
  let user: Credentials;
  beforeAll(async () => {
    user = await createUserWithKey(root.iam, uniqueName("durations"));
  });

  const expiresIn = async (creds: Credentials, DurationSeconds?: number): Promise<number> => {
    const now = server.clock.now();
    const { Credentials: c } = await sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand({ DurationSeconds }));
    return (c!.Expiration!.getTime() - Math.floor(now / 1000) * 1000) / 1000;
  };

  it("IAM users: 900 to 129600 seconds, as asked", async () => {
    expect(await expiresIn(user, 900)).toBe(900);
    expect(await expiresIn(user, 129_600)).toBe(129_600);
  });

  it("root: one hour by default and at most, longer silently capped", async () => {
    expect(await expiresIn(server.root)).toBe(3600);
    expect(await expiresIn(server.root, 900)).toBe(900);
    expect(await expiresIn(server.root, 7200)).toBe(3600);
    expect(await expiresIn(server.root, 129_600)).toBe(3600);
  });

  it("outside the model's range: AWS's ValidationError texts", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ DurationSeconds: "899" }, "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
      [{ DurationSeconds: "129601" }, "Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"],
      [{ SerialNumber: "abc def ghi", TokenCode: "123456" }, "Value 'abc def ghi' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*"],
      [{ SerialNumber: "a".repeat(257), TokenCode: "123456" }, `Value '${"a".repeat(257)}' at 'serialNumber' failed to satisfy constraint: Member must have length less than or equal to 256`],
      [{ SerialNumber: "GAHT12345678", TokenCode: "abcdef" }, "Value 'abcdef' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*"],
      [{ SerialNumber: "GAHT12345678", TokenCode: "1234567" }, "Value '1234567' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6"],
    ];
    for (const [params, message] of cases) {
      const res = await signedFetch(server.url, user, { body: gstBody(params) });
      expect(errorOf(res)).toEqual({ status: 400, code: "ValidationError", message: `1 validation error detected: ${message}` });
    }
    // Several at once, joined in model order.
    const res = await signedFetch(server.url, user, { body: gstBody({ DurationSeconds: "1", TokenCode: "x" }) });
    expect(errorOf(res).message).toBe(
      "3 validation errors detected: Value '1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; " +
        "Value 'x' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*; " +
        "Value 'x' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
    );
  });
});

describe("GetSessionToken with MFA", () => {
  it("a fresh code gives credentials; the same code again, an older one or a wrong one are refused", async () => {
    const name = uniqueName("mfa");
    const creds = await createUserWithKey(root.iam, name);
    const device = await enabledVirtualDevice(server, root.iam, name);
    const sts = sdkClients(server.url, creds).sts;
    const step = serverStep(server);
    const code = codeAt(device.seed, step + 1);

    const ok = await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code }));
    expect(ok.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code })))).toEqual(INVALID_CODE);
    // The enable codes are spent too, and so is everything up to the step last accepted.
    for (const old of [codeAt(device.seed, step), codeAt(device.seed, step - 1)]) {
      expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: old })))).toEqual(INVALID_CODE);
    }
    // Two steps ahead is outside the ±1 window until the clock gets there.
    const ahead = codeAt(device.seed, step + 3);
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: ahead })))).toEqual(INVALID_CODE);
    advanceSteps(server, 2);
    await sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: ahead }));
    const wrong = String((Number(codeAt(device.seed, step + 4)) + 1) % 1_000_000).padStart(6, "0");
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: wrong })))).toEqual(INVALID_CODE);
  });

  it("one code sent 8 times in parallel: exactly one session", async () => {
    const name = uniqueName("parallel");
    const creds = await createUserWithKey(root.iam, name);
    const device = await enabledVirtualDevice(server, root.iam, name);
    const code = codeAt(device.seed, serverStep(server) + 1);
    const sts = sdkClients(server.url, creds).sts;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(await sdkError(Promise.reject((r as PromiseRejectedResult).reason))).toEqual(INVALID_CODE);
    }
  });

  it("the serial must name an MFA device enabled for the caller", async () => {
    const name = uniqueName("owner");
    const creds = await createUserWithKey(root.iam, name);
    await enabledVirtualDevice(server, root.iam, name);
    const other = uniqueName("other");
    await createUserWithKey(root.iam, other);
    const othersDevice = await enabledVirtualDevice(server, root.iam, other);
    const sts = sdkClients(server.url, creds).sts;
    const code = codeAt(othersDevice.seed, serverStep(server) + 1);
    const serials = [
      othersDevice.serialNumber, // someone else's device, with its right code
      `arn:aws:iam::${server.accountId}:user/${name}`, // the user ARN instead of the device ARN
      `arn:aws:iam::${server.accountId}:mfa/nobody-has-this`,
      "GAHT99999999",
    ];
    for (const SerialNumber of serials) {
      expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber, TokenCode: code })))).toEqual(NOT_ASSOCIATED);
    }
    // Root has no device of its own: a user's device does not count.
    expect(await sdkError(root.sts.send(new GetSessionTokenCommand({ SerialNumber: othersDevice.serialNumber, TokenCode: code })))).toEqual(NOT_ASSOCIATED);
  });

  it("a deactivated device no longer authenticates", async () => {
    const name = uniqueName("deactivated");
    const creds = await createUserWithKey(root.iam, name);
    const device = await enabledVirtualDevice(server, root.iam, name);
    await root.iam.send(new DeactivateMFADeviceCommand({ UserName: name, SerialNumber: device.serialNumber }));
    const code = codeAt(device.seed, serverStep(server) + 1);
    const sts = sdkClients(server.url, creds).sts;
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: device.serialNumber, TokenCode: code })))).toEqual(NOT_ASSOCIATED);
    await root.iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: device.serialNumber }));
  });

  it("serial without code, or code without serial", async () => {
    const creds = await createUserWithKey(root.iam, uniqueName("half"));
    const sts = sdkClients(server.url, creds).sts;
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ SerialNumber: "GAHT12345678" })))).toEqual(INCOMPLETE);
    expect(await sdkError(sts.send(new GetSessionTokenCommand({ TokenCode: "123456" })))).toEqual(INCOMPLETE);
  });
});

describe("using session credentials", () => {
  const session = async (creds: Credentials, params: { SerialNumber?: string; TokenCode?: string; DurationSeconds?: number } = {}) =>
    asCredentials((await sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand(params))).Credentials);

  it("GetCallerIdentity: root sessions are the root user", async () => {
    const me = await sdkClients(server.url, await session(server.root)).sts.send(new GetCallerIdentityCommand({}));
    expect([me.Arn, me.UserId, me.Account]).toEqual([`arn:aws:iam::${server.accountId}:root`, server.accountId, server.accountId]);
  });

  it("GetSessionToken is refused; other STS actions too, except GetCallerIdentity", async () => {
    const creds = await session(await createUserWithKey(root.iam, uniqueName("chain")));
    expect(await sdkError(sdkClients(server.url, creds).sts.send(new GetSessionTokenCommand({})))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: "Cannot call GetSessionToken with session credentials",
    });
  });

  it("IAM: refused as an invalid token without MFA; with MFA, normal authorization", async () => {
    const name = uniqueName("iam");
    const creds = await createUserWithKey(root.iam, name);
    const device = await enabledVirtualDevice(server, root.iam, name);
    const plain = await session(creds);
    expect(await sdkError(sdkClients(server.url, plain).iam.send(new ListUsersCommand({})))).toEqual(INVALID_TOKEN);
    expect(await sdkError(sdkClients(server.url, await session(server.root)).iam.send(new ListUsersCommand({})))).toEqual(INVALID_TOKEN);

    const withMfa = await session(creds, { SerialNumber: device.serialNumber, TokenCode: codeAt(device.seed, serverStep(server) + 1) });
    expect(await sdkError(sdkClients(server.url, withMfa).iam.send(new ListUsersCommand({})))).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `User: arn:aws:iam::${server.accountId}:user/${name} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${server.accountId}:user/ because no identity-based policy allows the iam:ListUsers action`,
    });

    // Root with its own (hardware) token: an MFA session passes the gate and root may do anything.
    const seed = Buffer.from("12345678901234567890");
    const serialNumber = `ROOTTOKEN${userCount}`;
    const opened = openDataDir(server.dataDir, undefined);
    const deps = { ...opened, clock: server.clock, random: cryptoRandom };
    expect(await registerHardwareToken(deps, { accountId: server.accountId, userName: null, serialNumber, seed })).toBe("registered");
    await opened.store.close();
    const rootMfa = await session(server.root, { SerialNumber: serialNumber, TokenCode: codeAt(seed, serverStep(server)) });
    const users = await sdkClients(server.url, rootMfa).iam.send(new ListUsersCommand({}));
    expect(users.Users!.map((u) => u.UserName)).toContain(name);
  });

  it("header and presigned requests both carry the token", async () => {
    const creds = await session(await createUserWithKey(root.iam, uniqueName("presign")));
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    expect((await signedFetch(server.url, creds, { body })).status).toBe(200);
    const presigned = await signedFetch(server.url, creds, {
      method: "GET",
      presign: true,
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    });
    expect(presigned.status).toBe(200);
    expect(presigned.body).toContain("<Arn>arn:aws:iam::");
  });

  it("a token that does not open or does not belong to the key: InvalidClientTokenId without the period", async () => {
    const user = await createUserWithKey(root.iam, uniqueName("tamper"));
    const a = await session(user);
    const b = await session(user);
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const middle = Math.floor(a.sessionToken!.length / 2);
    const flipped = a.sessionToken![middle] === "A" ? "B" : "A";
    const tampered = a.sessionToken!.slice(0, middle) + flipped + a.sessionToken!.slice(middle + 1);
    const attempts: Credentials[] = [
      { ...a, sessionToken: tampered },
      { ...a, sessionToken: a.sessionToken!.slice(0, -8) }, // truncated
      { ...a, sessionToken: "garbage" },
      { ...a, sessionToken: b.sessionToken }, // another session's token with this key and secret
      { ...b, sessionToken: a.sessionToken }, // and the other way round
      { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, // an ASIA key without its token
      { ...user, sessionToken: a.sessionToken }, // a long-term key with a token
    ];
    for (const creds of attempts) expect(errorOf(await signedFetch(server.url, creds, { body }))).toEqual(INVALID_TOKEN);
    // The right token with the wrong secret is a signature problem.
    expect(errorOf(await signedFetch(server.url, { ...a, secretAccessKey: b.secretAccessKey }, { body })).code).toBe("SignatureDoesNotMatch");
  });

  it("expires exactly at Expiration: ExpiredToken", async () => {
    const user = await createUserWithKey(root.iam, uniqueName("expiry"));
    const { Credentials: c } = await sdkClients(server.url, user).sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const creds = asCredentials(c);
    const Expiration = c!.Expiration;
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const at = (ms: number) => {
      server.clock.fixedMs = ms;
      return signedFetch(server.url, creds, { body, signingDate: new Date(ms) });
    };
    expect((await at(Expiration!.getTime() - 1000)).status).toBe(200);
    expect(errorOf(await at(Expiration!.getTime()))).toEqual({
      status: 403,
      code: "ExpiredToken",
      message: "The security token included in the request is expired",
    });
  });

  it("outlives its source key, not its user", async () => {
    const name = uniqueName("revoked");
    const creds = await createUserWithKey(root.iam, name);
    const s = await session(creds);
    const sts = sdkClients(server.url, s).sts;
    await root.iam.send(new UpdateAccessKeyCommand({ UserName: name, AccessKeyId: creds.accessKeyId, Status: "Inactive" }));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(`:user/${name}`);
    await root.iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: creds.accessKeyId }));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(`:user/${name}`);
    await root.iam.send(new DeleteUserCommand({ UserName: name }));
    expect(await sdkError(sts.send(new GetCallerIdentityCommand({})))).toEqual(INVALID_TOKEN);
  });
});
