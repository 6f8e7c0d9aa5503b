/**
 * Attempt limits (issue 16 item 1) through real clients against a server in process: wrong MFA
 * codes lock a device (GetSessionToken, AssumeRole, EnableMFADevice and ResyncMFADevice all
 * count and all are refused), bad signatures lock a long-term key (STS, IAM and S3 refuse it),
 * a lock ends on time whatever was tried during it, and the aws CLI's automatic retries of
 * Throttling change nothing. Defaults: 5 failures within 5 minutes lock for 15 minutes.
 *
 * Clocks: the clients sign with the real clock; the server's is frozen at a step start 14 minutes
 * behind it, so that moving it on by the 15-minute lockout keeps it within SigV4's ±15 minutes.
 */
import { CreateRoleCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AWS_CLIS, boto3, clientEnv, run, sdkClients } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, createVirtualDevice, enabledVirtualDevice, serverStep, type VirtualDevice } from "./helpers/mfa.js";
import { startAuditedServer } from "./helpers/audited-server.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { asTuple, INVALID_CODE as INVALID_CODE_ERROR } from "./helpers/sts-errors.js";

const ACCOUNT = "123456789012";
/** The lockout, in 30-second steps: 15 minutes. */
const LOCKOUT_STEPS = 30;

const INVALID_CODE = asTuple(INVALID_CODE_ERROR);
const THROTTLED = [400, "Throttling", "Rate exceeded"];
const INVALID_AUTH_CODE = [403, "InvalidAuthenticationCode", "Authentication code for device is not valid."];
const BAD_SIGNATURE = [
  403,
  "SignatureDoesNotMatch",
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
];

let server: TestServer;
let root: ReturnType<typeof sdkClients>;

beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
  root = sdkClients(server.url, server.root);
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => freezeBehindRealTime(server));

/** Freezes the server's clock at a step start, 14 minutes behind real time. */
function freezeBehindRealTime(target: { clock: TestServer["clock"] }): void {
  target.clock.fixedMs = Math.floor((Date.now() - 14 * 60_000) / 30_000) * 30_000 + 1000;
}

/** `n` distinct six-digit codes that no step within ±2 of `step` shows. */
function wrongCodes(seed: Buffer, step: number, n: number): string[] {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(seed, step + d)));
  const codes: string[] = [];
  for (let i = 1; codes.length < n; i++) {
    const candidate = String((i * 123_457) % 1_000_000).padStart(6, "0");
    if (!near.has(candidate)) codes.push(candidate);
  }
  return codes;
}

let names = 0;
const uniqueName = (base: string): string => `${base}-${++names}`;

/** A user with a key who may do anything (so that refusals are the lock's, not the policies'). */
async function adminUser(base: string): Promise<Credentials> {
  const name = uniqueName(base);
  const creds = await createUserWithKey(root.iam, name);
  await root.iam.send(
    new PutUserPolicyCommand({
      UserName: name,
      PolicyName: "all",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
    }),
  );
  return creds;
}

async function userWithDevice(base: string): Promise<{ name: string; creds: Credentials; device: VirtualDevice }> {
  const name = uniqueName(base);
  const creds = await createUserWithKey(root.iam, name);
  const device = await enabledVirtualDevice(server, root.iam, name);
  return { name, creds, device };
}

/**
 * Runs a boto3 script that prints one JSON value; that value. Its clients make one attempt each
 * (the helper's `max_attempts: 1` is legacy mode's one retry), so each call is one request.
 */
async function boto3Json(creds: Credentials, script: string, url = server.url): Promise<unknown> {
  const oneAttempt = [
    "cfg = botocore.config.Config(retries={'mode': 'standard', 'total_max_attempts': 1})",
    `sts = s.client('sts', endpoint_url=${py(url)}, config=cfg)`,
    `iam = s.client('iam', endpoint_url=${py(url)}, config=cfg)`,
  ].join("\n");
  const r = await boto3(url, creds, `${oneAttempt}\n${script}`);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

const py = (value: unknown): string => JSON.stringify(value);

/** GetSessionToken with each code in turn (boto3, no retries): each answer's error, or "ok". */
function getSessionTokens(creds: Credentials, serialNumber: string, codes: readonly string[]): Promise<unknown> {
  return boto3Json(
    creds,
    `print(json.dumps([err(lambda: sts.get_session_token(SerialNumber=${py(serialNumber)}, TokenCode=c)) or "ok" for c in ${py(codes)}]))`,
  );
}

describe("MFA devices", () => {
  it("6 wrong codes at one device: the 6th and a right code after it are Throttling; another user's device is unaffected; after the lockout a fresh code works", async () => {
    const alice = await userWithDevice("alice");
    const bob = await userWithDevice("bob");
    const step = serverStep(server);

    const answers = await getSessionTokens(alice.creds, alice.device.serialNumber, [
      ...wrongCodes(alice.device.seed, step, 6),
      codeAt(alice.device.seed, step + 1),
    ]);
    expect(answers).toEqual([INVALID_CODE, INVALID_CODE, INVALID_CODE, INVALID_CODE, INVALID_CODE, THROTTLED, THROTTLED]);

    // Bob's device, at the same moment: a wrong code counts for him alone, a right one works.
    expect(await getSessionTokens(bob.creds, bob.device.serialNumber, [wrongCodes(bob.device.seed, step, 1)[0]!, codeAt(bob.device.seed, step + 1)])).toEqual([
      INVALID_CODE,
      "ok",
    ]);

    // The lock began with the 5th failure, at the frozen instant: still on 30 s before its end…
    advanceSteps(server, LOCKOUT_STEPS - 1);
    expect(await getSessionTokens(alice.creds, alice.device.serialNumber, [codeAt(alice.device.seed, serverStep(server))])).toEqual([THROTTLED]);
    // …and over 15 minutes after it began, those refusals notwithstanding: a fresh code works.
    advanceSteps(server, 1);
    expect(await getSessionTokens(alice.creds, alice.device.serialNumber, [codeAt(alice.device.seed, serverStep(server))])).toEqual(["ok"]);
  });

  it("a success resets the count: 4 wrong, a right one, 4 wrong again — no lock", async () => {
    const carol = await userWithDevice("carol");
    const step = serverStep(server);
    const wrong = wrongCodes(carol.device.seed, step, 8);
    const answers = await getSessionTokens(carol.creds, carol.device.serialNumber, [
      ...wrong.slice(0, 4),
      codeAt(carol.device.seed, step + 1),
      ...wrong.slice(4),
    ]);
    expect(answers).toEqual([...Array(4).fill(INVALID_CODE), "ok", ...Array(4).fill(INVALID_CODE)]);
    advanceSteps(server, 1);
    expect(await getSessionTokens(carol.creds, carol.device.serialNumber, [codeAt(carol.device.seed, serverStep(server) + 1)])).toEqual(["ok"]);
  });

  it("a replayed code (right, but already used) is refused as before and not counted: it is no guess", async () => {
    const liz = await userWithDevice("liz");
    const step = serverStep(server);
    const right = codeAt(liz.device.seed, step + 1);
    const answers = await getSessionTokens(liz.creds, liz.device.serialNumber, [
      right,
      ...Array(5).fill(right),
      ...wrongCodes(liz.device.seed, step, 5),
      right,
    ]);
    // Five replays, then five wrong codes — the fifth of those locks — then refused.
    expect(answers).toEqual(["ok", ...Array(10).fill(INVALID_CODE), THROTTLED]);
  });

  it("AssumeRole and ResyncMFADevice count toward the same device's limit, and are refused during its lock", async () => {
    const dave = await userWithDevice("dave");
    const roleName = uniqueName("deploy");
    await root.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    await root.iam.send(
      new PutUserPolicyCommand({
        UserName: dave.name,
        PolicyName: "assume-and-resync",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "iam:ResyncMFADevice"], Resource: "*" }],
        }),
      }),
    );
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
    const step = serverStep(server);
    const [w1, w2, w3, w4, w5, w6] = wrongCodes(dave.device.seed, step, 6);
    const seed = dave.device.seed;
    const answers = await boto3Json(
      dave.creds,
      [
        `serial = ${py(dave.device.serialNumber)}`,
        `assume = lambda c: sts.assume_role(RoleArn=${py(roleArn)}, RoleSessionName="s1", SerialNumber=serial, TokenCode=c)`,
        `resync = lambda c1, c2: iam.resync_mfa_device(UserName=${py(dave.name)}, SerialNumber=serial, AuthenticationCode1=c1, AuthenticationCode2=c2)`,
        "out = []",
        `for c in ${py([w1, w2])}: out.append(err(lambda: assume(c)) or "ok")`,
        `out.append(err(lambda: resync(${py(w3)}, ${py(w4)})) or "ok")`,
        `for c in ${py([w5, w6])}: out.append(err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=c)) or "ok")`,
        // Locked: right codes are refused by every operation that names the device.
        `out.append(err(lambda: assume(${py(codeAt(seed, step + 1))})) or "ok")`,
        `out.append(err(lambda: resync(${py(codeAt(seed, step + 1))}, ${py(codeAt(seed, step + 2))})) or "ok")`,
        `out.append(err(lambda: sts.get_session_token(SerialNumber=serial, TokenCode=${py(codeAt(seed, step + 1))})) or "ok")`,
        "print(json.dumps(out))",
      ].join("\n"),
    );
    // Failures 1–2 (AssumeRole), 3 (Resync), 4–5 (GetSessionToken, the 5th locking), then refusals.
    expect(answers).toEqual([INVALID_CODE, INVALID_CODE, INVALID_AUTH_CODE, INVALID_CODE, INVALID_CODE, THROTTLED, THROTTLED, THROTTLED]);

    advanceSteps(server, LOCKOUT_STEPS);
    const later = serverStep(server);
    const after = await boto3Json(
      dave.creds,
      `r = sts.assume_role(RoleArn=${py(roleArn)}, RoleSessionName="s1", SerialNumber=${py(dave.device.serialNumber)}, TokenCode=${py(codeAt(seed, later))})\nprint(json.dumps(r["AssumedRoleUser"]["Arn"]))`,
    );
    expect(after).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/s1`);
  });

  it("EnableMFADevice: 5 wrong code pairs lock the device being enabled; right codes are then Throttling; after the lockout they enable it", async () => {
    const name = uniqueName("erin");
    await createUserWithKey(root.iam, name);
    const device = await createVirtualDevice(root.iam, `${name}-phone`);
    const step = serverStep(server);
    const wrong = wrongCodes(device.seed, step, 10);
    const enable = (pairs: readonly (readonly [string, string])[]) =>
      boto3Json(
        server.root,
        `print(json.dumps([err(lambda: iam.enable_mfa_device(UserName=${py(name)}, SerialNumber=${py(device.serialNumber)}, AuthenticationCode1=a, AuthenticationCode2=b)) or "ok" for a, b in ${py(pairs)}]))`,
      );
    const right = [codeAt(device.seed, step - 1), codeAt(device.seed, step)] as const;
    expect(
      await enable([...Array.from({ length: 5 }, (_, i) => [wrong[2 * i]!, wrong[2 * i + 1]!] as const), right]),
    ).toEqual([...Array(5).fill(INVALID_AUTH_CODE), THROTTLED]);
    advanceSteps(server, LOCKOUT_STEPS);
    const now = serverStep(server);
    expect(await enable([[codeAt(device.seed, now - 1), codeAt(device.seed, now)]])).toEqual(["ok"]);
  });
});

describe("long-term access keys", () => {
  it("5 bad signatures lock the key id: then STS, IAM and S3 refuse it even correctly signed; other keys work; the lock ends on time", async () => {
    const frank = await adminUser("frank");
    const other = await adminUser("grace");
    const forged = { accessKeyId: frank.accessKeyId, secretAccessKey: "x".repeat(40) };
    const identity = 'print(json.dumps([err(lambda: sts.get_caller_identity()) or "ok" for _ in range(6)]))';
    expect(await boto3Json(forged, identity)).toEqual([...Array(5).fill(BAD_SIGNATURE), THROTTLED]);

    const everywhere = [
      `s3 = s.client("s3", endpoint_url=${py(server.url)}, config=cfg)`,
      'print(json.dumps([err(lambda: sts.get_caller_identity()) or "ok", err(lambda: iam.get_user()) or "ok", err(lambda: s3.list_buckets()) or "ok"]))',
    ].join("\n");
    // S3's throttling answer is its own (SlowDown, 503: UNCONFIRMED for this case, AWS having no such lock).
    expect(await boto3Json(frank, everywhere)).toEqual([THROTTLED, THROTTLED, [503, "SlowDown", "Please reduce your request rate."]]);
    expect(await boto3Json(other, everywhere)).toEqual(["ok", "ok", "ok"]);

    advanceSteps(server, LOCKOUT_STEPS - 1);
    expect(await boto3Json(frank, 'print(json.dumps(err(lambda: sts.get_caller_identity()) or "ok"))')).toEqual(THROTTLED);
    advanceSteps(server, 1);
    expect(await boto3Json(frank, everywhere)).toEqual(["ok", "ok", "ok"]);
  });

  it("a good signature resets the count; failures of unknown keys and stale dates lock nothing", async () => {
    const henry = await createUserWithKey(root.iam, uniqueName("henry"));
    const forged = { accessKeyId: henry.accessKeyId, secretAccessKey: "y".repeat(40) };
    const four = 'print(json.dumps([err(lambda: sts.get_caller_identity()) or "ok" for _ in range(4)]))';
    expect(await boto3Json(forged, four)).toEqual(Array(4).fill(BAD_SIGNATURE));
    expect(await boto3Json(henry, 'print(json.dumps(err(lambda: sts.get_caller_identity()) or "ok"))')).toBe("ok");
    expect(await boto3Json(forged, four)).toEqual(Array(4).fill(BAD_SIGNATURE));
    expect(await boto3Json(henry, 'print(json.dumps(err(lambda: sts.get_caller_identity()) or "ok"))')).toBe("ok");

    // Requests whose date is too far off (the server's clock 20 minutes behind): refused as stale, not counted.
    server.clock.fixedMs = Date.now() - 20 * 60_000;
    const stale = await boto3Json(henry, 'print(json.dumps([err(lambda: sts.get_caller_identity()) for _ in range(6)]))');
    expect((stale as unknown[][]).map((a) => [a[0], a[1], String(a[2]).startsWith("Signature not yet current: ")])).toEqual(Array(6).fill([403, "SignatureDoesNotMatch", true]));
    freezeBehindRealTime(server);
    expect(await boto3Json(henry, 'print(json.dumps(err(lambda: sts.get_caller_identity()) or "ok"))')).toBe("ok");

    // A key id the server does not know: the same answer every time, nothing to lock.
    const unknown = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "z".repeat(40) };
    const seven = await boto3Json(unknown, 'print(json.dumps([err(lambda: sts.get_caller_identity()) for _ in range(7)]))');
    expect(new Set((seven as unknown[]).map((a) => JSON.stringify(a)))).toEqual(
      new Set([JSON.stringify([403, "InvalidClientTokenId", "The security token included in the request is invalid."])]),
    );
  });
});

describe.each(AWS_CLIS)("$name retrying Throttling", ({ name, command }) => {
  it("the retries are refused without being counted: the lock ends when it would have", async () => {
    const ivan = await userWithDevice(name.endsWith("v1") ? "ivan-v1" : "ivan-v2");
    const step = serverStep(server);
    expect(await getSessionTokens(ivan.creds, ivan.device.serialNumber, wrongCodes(ivan.device.seed, step, 5))).toEqual(Array(5).fill(INVALID_CODE));

    // Three attempts (v2's default; v1's legacy mode would make five, more slowly): all refused.
    const r = await run(
      command,
      ["--endpoint-url", server.url, "sts", "get-session-token", "--serial-number", ivan.device.serialNumber, "--token-code", codeAt(ivan.device.seed, step + 1)],
      clientEnv(ivan.creds, { AWS_MAX_ATTEMPTS: "3", AWS_RETRY_MODE: "standard" }),
    );
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("\nAn error occurred (Throttling) when calling the GetSessionToken operation (reached max retries: 2): Rate exceeded\n");
    expect(r.code).toBe(name.endsWith("v1") ? 255 : 254);

    // Neither counted nor extended: over at 15 minutes from the 5th failure.
    advanceSteps(server, LOCKOUT_STEPS);
    expect(await getSessionTokens(ivan.creds, ivan.device.serialNumber, [codeAt(ivan.device.seed, serverStep(server))])).toEqual(["ok"]);
  });
});

describe("the lockout's audit record", () => {
  it("one AccessKeyLockout service event when a key locks, none for the refusals after it", async () => {
    const audited = await startAuditedServer(ACCOUNT);
    let log: string;
    try {
      freezeBehindRealTime(audited);
      const forged = { accessKeyId: audited.root.accessKeyId, secretAccessKey: "q".repeat(40) };
      const answers = await boto3Json(forged, 'print(json.dumps([err(lambda: sts.get_caller_identity()) for _ in range(8)]))', audited.url);
      expect(answers).toEqual([...Array(5).fill(BAD_SIGNATURE), ...Array(3).fill(THROTTLED)]);
    } finally {
      log = await audited.stop();
    }
    const records = log
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const lockouts = records.filter((r) => r.eventType === "AwsServiceEvent");
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({
      eventSource: "sts.amazonaws.com",
      eventName: "AccessKeyLockout",
      recipientAccountId: ACCOUNT,
      serviceEventDetails: {
        accessKeyId: audited.root.accessKeyId,
        userName: null,
        failures: 5,
        lockedUntil: new Date(audited.clock.now() + 15 * 60_000).toISOString().replace(".000Z", "Z"),
        clientSourceIPAddress: "127.0.0.1",
      },
    });
    // Every request has its own record too: 8 GetCallerIdentity calls, 5 of them SignatureDoesNotMatch.
    const calls = records.filter((r) => r.eventName === "GetCallerIdentity");
    expect(calls.map((r) => r.errorCode)).toEqual([...Array(5).fill("SignatureDoesNotMatch"), ...Array(3).fill("Throttling")]);
  });
});
