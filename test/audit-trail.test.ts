/**
 * The audit trail (issue 16 item 2) through boto3 against a real server: a scripted session —
 * root creates a user, a key and an MFA device; the user gets an MFA session, calls
 * GetCallerIdentity with it, then fails a code — leaves exactly those events in CloudTrail's
 * record shape, with mfaAuthenticated "true" on the session's events and no secret, session
 * token, seed or TOTP code anywhere in the file. Then a role session and S3 (AssumedRole
 * identities, S3's data events, a presigned URL's signature and token kept out), and
 * `mfa-sts audit`'s filters over the file the session left.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { boto3, clientEnv, type Run } from "./helpers/clients.js";
import { mfaSts } from "./helpers/cli.js";
import { startAuditedServer, type AuditedServer } from "./helpers/audited-server.js";
import { codeAt } from "./helpers/mfa.js";
import { base32Decode } from "../src/mfa/seed.js";
import { timeStep } from "../src/mfa/totp.js";
import { tempDir, type Credentials } from "./helpers/server.js";
import { INVALID_CODE, asTuple } from "./helpers/sts-errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** CloudTrail's members, in its order. */
const MEMBER_ORDER = [
  "eventVersion",
  "userIdentity",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
  "sourceIPAddress",
  "userAgent",
  "errorCode",
  "errorMessage",
  "requestParameters",
  "responseElements",
  "requestID",
  "eventID",
  "readOnly",
  "resources",
  "eventType",
  "managementEvent",
  "recipientAccountId",
  "eventCategory",
];

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Runs a boto3 script and returns the JSON of each line it printed. */
async function py(server: AuditedServer, creds: Credentials, lines: string[]): Promise<unknown[]> {
  const run: Run = await boto3(server.url, creds, lines.join("\n"));
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

function records(text: string): Record<string, unknown>[] {
  expect(text.endsWith("\n")).toBe(true);
  return text.trimEnd().split("\n").map((line) => JSON.parse(line));
}

/** Masks the ids whose characters could spell a 6-digit code by chance (UUIDs, AKIA/ASIA/AIDA/AROA ids). */
const withoutIds = (text: string) =>
  text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>").replace(/A(KIA|SIA|IDA|ROA)[A-Z2-7]{16,17}/g, "<id>");

function expectNoSecrets(text: string, secrets: string[], codes: string[]): void {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(text.includes(secret), `a secret is in the audit log: ${secret.slice(0, 6)}…`).toBe(false);
  }
  const masked = withoutIds(text);
  for (const code of codes) expect(masked, `the code ${code} is in the audit log`).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
}

/** A code the device does not show around `step` (so a wrong one for sure). */
function wrongCode(seed: Buffer, step: number): string {
  const valid = new Set([-1, 0, 1].map((d) => codeAt(seed, step + d)));
  for (let k = 100; ; k++) {
    const candidate = codeAt(seed, step + k);
    if (!valid.has(candidate)) return candidate;
  }
}

describe("audit trail: the scripted MFA session", () => {
  let server: AuditedServer;
  let text: string;
  let t0: number;
  let t1: number;

  beforeAll(async () => {
    server = await startAuditedServer();
    server.clock.fixedMs = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
    t0 = server.clock.now();
  }, 30_000);

  it("holds exactly the session's events, in CloudTrail's shape, with no secret, token, seed or code", async () => {
    const { accountId, root } = server;
    const [created] = (await py(server, root, [
      "u = iam.create_user(UserName='alice')['User']",
      "k = iam.create_access_key(UserName='alice')['AccessKey']",
      "d = iam.create_virtual_mfa_device(VirtualMFADeviceName='alice')['VirtualMFADevice']",
      "import base64",
      "print(json.dumps({'userId': u['UserId'], 'id': k['AccessKeyId'], 'secret': k['SecretAccessKey'], 'serial': d['SerialNumber'], 'seed': d['Base32StringSeed'].decode(), 'qr': base64.b64encode(d['QRCodePNG']).decode()}))",
    ])) as [{ userId: string; id: string; secret: string; serial: string; seed: string; qr: string }];
    const seed = base32Decode(created.seed);
    const enableStep = timeStep(server.clock.now());
    const enableCodes = [codeAt(seed, enableStep - 1), codeAt(seed, enableStep)];
    await py(server, root, [
      `iam.enable_mfa_device(UserName='alice', SerialNumber=${JSON.stringify(created.serial)}, AuthenticationCode1='${enableCodes[0]}', AuthenticationCode2='${enableCodes[1]}')`,
      "print('{}')",
    ]);

    // A minute later the user signs in with the device, as a person would.
    server.clock.fixedMs! += 60_000;
    t1 = server.clock.now();
    const step = enableStep + 2;
    const sessionCode = codeAt(seed, step);
    const wrong = wrongCode(seed, step);
    const alice = { accessKeyId: created.id, secretAccessKey: created.secret };
    const [session, me, failure] = (await py(server, alice, [
      `c = sts.get_session_token(SerialNumber=${JSON.stringify(created.serial)}, TokenCode='${sessionCode}')['Credentials']`,
      "print(json.dumps({'id': c['AccessKeyId'], 'secret': c['SecretAccessKey'], 'token': c['SessionToken'], 'expiration': c['Expiration'].isoformat()}))",
      "s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='us-east-1')",
      `print(json.dumps(s2.client('sts', endpoint_url=${JSON.stringify(server.url)}, config=cfg).get_caller_identity()['Arn']))`,
      `print(json.dumps(err(lambda: sts.get_session_token(SerialNumber=${JSON.stringify(created.serial)}, TokenCode='${wrong}'))))`,
    ])) as [{ id: string; secret: string; token: string; expiration: string }, string, unknown];
    expect(me).toBe(`arn:aws:iam::${accountId}:user/alice`);
    expect(failure).toEqual(asTuple(INVALID_CODE));

    text = await server.stop();
    const got = records(text);

    const aliceArn = `arn:aws:iam::${accountId}:user/alice`;
    const rootIdentity = { type: "Root", principalId: accountId, arn: `arn:aws:iam::${accountId}:root`, accountId, accessKeyId: root.accessKeyId };
    const aliceIdentity = { type: "IAMUser", principalId: created.userId, arn: aliceArn, accountId, accessKeyId: created.id, userName: "alice" };
    const sessionIdentity = {
      ...aliceIdentity,
      accessKeyId: session.id,
      sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: iso(t1), mfaAuthenticated: "true" } },
    };
    const call = (at: number, source: string, name: string, identity: object, readOnly: boolean) => ({
      eventVersion: "1.08",
      userIdentity: identity,
      eventTime: iso(at),
      eventSource: `${source}.amazonaws.com`,
      eventName: name,
      awsRegion: "us-east-1",
      sourceIPAddress: "127.0.0.1",
      userAgent: expect.stringMatching(/^Boto3\/\S+ .*Botocore\//),
      requestID: expect.stringMatching(UUID),
      eventID: expect.stringMatching(UUID),
      readOnly,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: accountId,
      eventCategory: "Management",
    });
    const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
    expect(got).toEqual([
      {
        ...call(t0, "iam", "CreateUser", rootIdentity, false),
        requestParameters: { userName: "alice" },
        responseElements: { user: { path: "/", userName: "alice", userId: created.userId, arn: aliceArn, createDate: iso(t0) } },
      },
      {
        ...call(t0, "iam", "CreateAccessKey", rootIdentity, false),
        requestParameters: { userName: "alice" },
        responseElements: { accessKey: { userName: "alice", accessKeyId: created.id, status: "Active", createDate: iso(t0) } },
      },
      {
        ...call(t0, "iam", "CreateVirtualMFADevice", rootIdentity, false),
        requestParameters: { virtualMFADeviceName: "alice" },
        responseElements: { virtualMFADevice: { serialNumber: created.serial } },
      },
      {
        ...call(t0, "iam", "EnableMFADevice", rootIdentity, false),
        requestParameters: { userName: "alice", serialNumber: created.serial, authenticationCode1: HIDDEN, authenticationCode2: HIDDEN },
        responseElements: null,
      },
      {
        ...call(t1, "sts", "GetSessionToken", aliceIdentity, true),
        requestParameters: { serialNumber: created.serial, tokenCode: HIDDEN },
        responseElements: { credentials: { accessKeyId: session.id, expiration: iso(t1 + 43_200_000) } },
      },
      {
        ...call(t1, "sts", "GetCallerIdentity", sessionIdentity, true),
        requestParameters: null,
        responseElements: null,
      },
      {
        ...call(t1, "sts", "GetSessionToken", aliceIdentity, true),
        errorCode: "AccessDenied",
        errorMessage: "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        requestParameters: { serialNumber: created.serial, tokenCode: HIDDEN },
        responseElements: null,
      },
    ]);
    expect(new Date(session.expiration).getTime()).toBe(t1 + 43_200_000);
    // Members in CloudTrail's order, the optional ones where it puts them.
    for (const record of got) {
      const keys = Object.keys(record);
      expect(keys).toEqual(MEMBER_ORDER.filter((k) => keys.includes(k)));
    }
    expectNoSecrets(
      text,
      [root.secretAccessKey, created.secret, created.seed, Buffer.from(created.seed).toString("base64"), created.qr, session.secret, session.token],
      [...enableCodes, sessionCode, wrong],
    );
  });

  describe("mfa-sts audit over that log", () => {
    const audit = async (...args: string[]) => {
      const res = await mfaSts(["audit", "--audit-log", server.auditFile, ...args], clientEnv(undefined));
      expect(res.stderr).toBe("");
      expect(res.code).toBe(0);
      return res.stdout;
    };
    const names = async (...args: string[]) => (JSON.parse(await audit(...args, "--output", "json")) as { eventName: string }[]).map((r) => r.eventName);

    it("--user, --event, --failed, --since (a moment), and the records themselves with --output json", async () => {
      expect(await names()).toEqual(["CreateUser", "CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice", "GetSessionToken", "GetCallerIdentity", "GetSessionToken"]);
      expect(await names("--user", "alice")).toEqual(["GetSessionToken", "GetCallerIdentity", "GetSessionToken"]);
      expect(await names("--user", "root")).toEqual(["CreateUser", "CreateAccessKey", "CreateVirtualMFADevice", "EnableMFADevice"]);
      expect(await names("--user", "nobody")).toEqual([]);
      expect(await names("--event", "GetSessionToken")).toEqual(["GetSessionToken", "GetSessionToken"]);
      expect(await names("--failed")).toEqual(["GetSessionToken"]);
      expect(await names("--since", iso(t0 + 30_000))).toEqual(["GetSessionToken", "GetCallerIdentity", "GetSessionToken"]);
      expect(await names("--user", "alice", "--event", "GetSessionToken", "--failed", "--since", iso(t1))).toEqual(["GetSessionToken"]);
      // The json output is the records as written, whole.
      expect(JSON.parse(await audit("--failed", "--output", "json"))).toEqual([records(text)[6]]);
    });

    it("prints a table by default, and reads the data directory's log with --data-dir", async () => {
      const failed = records(text)[6]!;
      const table = await audit("--failed");
      expect(table).toBe(
        "TIME                  SERVICE  EVENT            USER   SOURCE IP  ERROR\n" +
          `${iso(t1)}  sts      GetSessionToken  alice  127.0.0.1  AccessDenied\n`,
      );
      expect(failed.requestID).toEqual(expect.stringMatching(UUID));
      const byDir = await mfaSts(["audit", "--data-dir", server.dataDir, "--failed"], clientEnv(undefined));
      expect(byDir).toMatchObject({ code: 0, stdout: table, stderr: "" });
    });

    it("--since a time ago, against the wall clock", async () => {
      // The same records, the first two moved three hours back.
      const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      const old = iso(Date.now() - 3 * 3_600_000);
      lines[0]!.eventTime = old;
      lines[1]!.eventTime = old;
      const file = join(tempDir(), "aged.log");
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      const since = async (when: string) =>
        (JSON.parse((await mfaSts(["audit", "--audit-log", file, "--since", when, "--output", "json"], clientEnv(undefined))).stdout) as unknown[]).length;
      expect(await since("1h")).toBe(5);
      expect(await since("4h")).toBe(7);
      expect(await since("90m")).toBe(5);
    });

    it("bad input: an unknown --since or --output is a usage error; a missing log and a torn line are said", async () => {
      const env = clientEnv(undefined);
      const badSince = await mfaSts(["audit", "--audit-log", server.auditFile, "--since", "yesterday"], env);
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toContain("error: option '--since <when>' argument 'yesterday' is invalid. must be a duration such as 15m, 1h, 2d, or an ISO 8601 time");
      const badOutput = await mfaSts(["audit", "--audit-log", server.auditFile, "--output", "yaml"], env);
      expect(badOutput.code).toBe(2);
      expect(badOutput.stderr).toContain("error: --output must be one of table, json");
      const missing = join(tempDir(), "none.log");
      expect(await mfaSts(["audit", "--audit-log", missing], env)).toEqual({ code: 1, stdout: "", stderr: `mfa-sts audit: cannot read the audit log ${missing}: ENOENT\n` });
      // A kill -9 can leave the last line cut short: it is skipped, and said.
      const torn = join(tempDir(), "torn.log");
      writeFileSync(torn, text + text.split("\n")[0]!.slice(0, 40));
      const res = await mfaSts(["audit", "--audit-log", torn, "--output", "json"], env);
      expect(res.code).toBe(0);
      expect(res.stderr).toBe(`mfa-sts audit: ${torn}:8 is not an audit record; skipped\n`);
      expect(JSON.parse(res.stdout)).toHaveLength(7);
    });
  });
});

describe("audit trail: role sessions and S3", () => {
  it("AssumedRole identities with their issuer, S3's operation names and data events, no presigned signature or token", async () => {
    const server = await startAuditedServer();
    const { accountId, root } = server;
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:user/bob` }, Action: ["sts:AssumeRole", "sts:SetSourceIdentity"] }] });
    const read = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    const [bob] = (await py(server, root, [
      "iam.create_user(UserName='bob')",
      "k = iam.create_access_key(UserName='bob')['AccessKey']",
      `r = iam.create_role(RoleName='reader', AssumeRolePolicyDocument=${JSON.stringify(trust)})['Role']`,
      `iam.put_role_policy(RoleName='reader', PolicyName='read', PolicyDocument=${JSON.stringify(read)})`,
      `s3 = s.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=cfg)`,
      "s3.create_bucket(Bucket='audit-bucket')",
      "s3.put_object(Bucket='audit-bucket', Key='dir/file.txt', Body=b'hello')",
      "print(json.dumps({'id': k['AccessKeyId'], 'secret': k['SecretAccessKey'], 'roleId': r['RoleId']}))",
    ])) as [{ id: string; secret: string; roleId: string }];
    const [assumed, url, body] = (await py(server, { accessKeyId: bob.id, secretAccessKey: bob.secret }, [
      "import urllib.request",
      `r = sts.assume_role(RoleArn='arn:aws:iam::${accountId}:role/reader', RoleSessionName='nightly', SourceIdentity='bob-ci')`,
      "c = r['Credentials']",
      "print(json.dumps({'id': c['AccessKeyId'], 'secret': c['SecretAccessKey'], 'token': c['SessionToken']}))",
      "s2 = boto3.session.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'], region_name='us-east-1')",
      `s2.client('sts', endpoint_url=${JSON.stringify(server.url)}, config=cfg).get_caller_identity()`,
      // SigV4 (boto3 presigns S3 URLs with SigV2 unless told, which this server refuses).
      "v4 = botocore.config.Config(retries={'max_attempts': 1}, signature_version='s3v4')",
      `u = s2.client('s3', endpoint_url=${JSON.stringify(server.url)}, config=v4).generate_presigned_url('get_object', Params={'Bucket': 'audit-bucket', 'Key': 'dir/file.txt'})`,
      "print(json.dumps(u))",
      "print(json.dumps(urllib.request.urlopen(u).read().decode()))",
    ])) as [{ id: string; secret: string; token: string }, string, string];
    expect(body).toBe("hello");
    const text = await server.stop();
    const got = records(text);
    expect(got.map((r) => [r.eventSource, r.eventName, r.errorCode])).toEqual([
      ["iam.amazonaws.com", "CreateUser", undefined],
      ["iam.amazonaws.com", "CreateAccessKey", undefined],
      ["iam.amazonaws.com", "CreateRole", undefined],
      ["iam.amazonaws.com", "PutRolePolicy", undefined],
      ["s3.amazonaws.com", "CreateBucket", undefined],
      ["s3.amazonaws.com", "PutObject", undefined],
      ["sts.amazonaws.com", "AssumeRole", undefined],
      ["sts.amazonaws.com", "GetCallerIdentity", undefined],
      ["s3.amazonaws.com", "GetObject", undefined],
    ]);
    const roleArn = `arn:aws:iam::${accountId}:role/reader`;
    const sessionArn = `arn:aws:sts::${accountId}:assumed-role/reader/nightly`;
    // Policy documents are kept, as CloudTrail keeps them.
    expect(got[2]!.requestParameters).toEqual({ roleName: "reader", assumeRolePolicyDocument: trust });
    expect(got[6]).toMatchObject({
      userIdentity: { type: "IAMUser", userName: "bob", accessKeyId: bob.id },
      requestParameters: { roleArn, roleSessionName: "nightly", sourceIdentity: "bob-ci" },
      responseElements: {
        assumedRoleUser: { assumedRoleId: `${bob.roleId}:nightly`, arn: sessionArn },
        credentials: { accessKeyId: assumed.id, expiration: expect.stringMatching(/Z$/) },
        sourceIdentity: "bob-ci",
      },
      readOnly: true,
    });
    expect(Object.keys((got[6]!.responseElements as { credentials: object }).credentials)).toEqual(["accessKeyId", "expiration"]);
    const roleIdentity = {
      type: "AssumedRole",
      principalId: `${bob.roleId}:nightly`,
      arn: sessionArn,
      accountId,
      accessKeyId: assumed.id,
      sessionContext: {
        sessionIssuer: { type: "Role", principalId: bob.roleId, arn: roleArn, accountId, userName: "reader" },
        webIdFederationData: {},
        attributes: { creationDate: expect.stringMatching(/Z$/), mfaAuthenticated: "false" },
        sourceIdentity: "bob-ci",
      },
    };
    expect(got[7]!.userIdentity).toEqual(roleIdentity);
    const host = new URL(server.url).host;
    expect(got[8]).toEqual({
      eventVersion: "1.08",
      userIdentity: roleIdentity,
      eventTime: expect.stringMatching(/Z$/),
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      awsRegion: "us-east-1",
      sourceIPAddress: "127.0.0.1",
      userAgent: expect.stringMatching(/^Python-urllib\//),
      // The presigned URL's X-Amz-* parameters (credential, signature, token) are not parameters of the call.
      requestParameters: { bucketName: "audit-bucket", Host: host, key: "dir/file.txt" },
      responseElements: null,
      requestID: expect.stringMatching(/^[0-9A-F]{16}$/),
      eventID: expect.stringMatching(UUID),
      readOnly: true,
      resources: [
        { type: "AWS::S3::Object", ARN: "arn:aws:s3:::audit-bucket/dir/file.txt" },
        { accountId, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::audit-bucket" },
      ],
      eventType: "AwsApiCall",
      managementEvent: false,
      recipientAccountId: accountId,
      eventCategory: "Data",
    });
    expect(got[4]).toMatchObject({ eventName: "CreateBucket", managementEvent: true, eventCategory: "Management", readOnly: false });
    expect(got[5]).toMatchObject({ eventName: "PutObject", managementEvent: false, eventCategory: "Data", readOnly: false });
    const signature = new URL(url).searchParams.get("X-Amz-Signature")!;
    expectNoSecrets(text, [root.secretAccessKey, bob.secret, assumed.secret, assumed.token, encodeURIComponent(assumed.token), signature], []);
  });

  it("requests refused before the caller is known keep the key id and the error; unsigned ones are not audited", async () => {
    const server = await startAuditedServer();
    const unknown = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    const wrongSecret = { ...server.root, secretAccessKey: "x".repeat(40) };
    await py(server, unknown, ["print(json.dumps(err(lambda: sts.get_caller_identity())))"]);
    await py(server, wrongSecret, ["print(json.dumps(err(lambda: iam.list_users())))"]);
    expect((await fetch(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`)).status).toBe(403);
    const text = await server.stop();
    const got = records(text);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({
      userIdentity: { type: "Unknown", accessKeyId: unknown.accessKeyId },
      eventSource: "sts.amazonaws.com",
      eventName: "GetCallerIdentity",
      errorCode: "InvalidClientTokenId",
      errorMessage: "The security token included in the request is invalid.",
      requestParameters: null,
      responseElements: null,
      recipientAccountId: server.accountId,
    });
    expect(got[0]!.userIdentity).toEqual({ type: "Unknown", accessKeyId: unknown.accessKeyId });
    expect(got[1]).toMatchObject({
      userIdentity: { type: "Unknown", accessKeyId: server.root.accessKeyId },
      eventSource: "iam.amazonaws.com",
      eventName: "ListUsers",
      errorCode: "SignatureDoesNotMatch",
      readOnly: true,
    });
    expectNoSecrets(text, [unknown.secretAccessKey, server.root.secretAccessKey], []);
  });

  it("a malformed code quoted back in AWS's validation message is hidden too", async () => {
    const server = await startAuditedServer();
    const [answer] = await py(server, server.root, [
      "print(json.dumps(err(lambda: sts.get_session_token(SerialNumber='arn:aws:iam::123456789012:mfa/root', TokenCode='98x765'))))",
    ]);
    expect(answer).toEqual([400, "ValidationError", expect.stringContaining("Value '98x765' at 'tokenCode'")]);
    const text = await server.stop();
    const [record] = records(text);
    expect(record).toMatchObject({ eventName: "GetSessionToken", errorCode: "ValidationError", requestParameters: null });
    expect(record!.errorMessage).toContain("Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'tokenCode'");
    expect(text).not.toContain("98x765");
  });
});
