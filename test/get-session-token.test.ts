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

const INVALID_TOKEN = { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid" };
const INVALID_CODE = { status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed with invalid MFA one time pass code. " };
const NOT_ASSOCIATED = {
  status: 403,
  code: "AccessDenied",
  message:
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
};

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
