/**
 * S3's buckets on the shared port, through real clients (issue 13, first part): aws CLI v1 and
 * v2 (`s3 mb`/`ls`/`rb`, `s3api head-bucket`/`get-bucket-location`), boto3 and S3's envelope and
 * errors; and what the MFA session is for — AWS's force-MFA policy refuses `aws s3 ls` to the
 * long-term key with S3's `Access Denied`, and the session written by `mfa-sts login` lists the
 * buckets. Objects are not served yet: they answer `NotImplemented` in S3's envelope.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers/cli.js";
import { AWS_CLIS, awsCli, boto3, run, sdkClients } from "./helpers/clients.js";
import { advanceSteps, codeAt, createUserWithKey, enabledVirtualDevice, freezeAtStepStart, serverStep } from "./helpers/mfa.js";
import { startTestServer, type Credentials, type TestServer } from "./helpers/server.js";
import { AddUserToGroupCommand, AttachGroupPolicyCommand, CreateGroupCommand, CreatePolicyCommand } from "@aws-sdk/client-iam";

const ACCOUNT = "123456789012";
const FORCE_MFA = join(import.meta.dirname, "fixtures", "policies", "force-mfa.json");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ accountId: ACCOUNT });
});
afterAll(async () => server?.close());

describe.each(AWS_CLIS)("buckets with $name", ({ command }) => {
  const v2 = command === "/usr/bin/aws";
  const bucket = v2 ? "bucket-v2" : "bucket-v1";
  const cli = (args: string[]) => awsCli(command, server.url, server.root, args);

  it("mb, ls, head-bucket, get-bucket-location, rb", async () => {
    expect(await cli(["s3", "mb", `s3://${bucket}`])).toMatchObject({ code: 0, stdout: `make_bucket: ${bucket}\n` });
    const listed = await cli(["s3", "ls"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} ${bucket}$`, "m"));
    expect(await cli(["s3api", "head-bucket", "--bucket", bucket])).toMatchObject({ code: 0 });
    const location = await cli(["s3api", "get-bucket-location", "--bucket", bucket]);
    expect(JSON.parse(location.stdout)).toEqual({ LocationConstraint: null });
    // Re-creating your own bucket in us-east-1 is a no-op 200, as on AWS.
    expect(await cli(["s3api", "create-bucket", "--bucket", bucket])).toMatchObject({ code: 0 });
    expect(await cli(["s3", "rb", `s3://${bucket}`])).toMatchObject({ code: 0, stdout: `remove_bucket: ${bucket}\n` });
    expect(await cli(["s3api", "head-bucket", "--bucket", bucket])).toMatchObject({
      code: v2 ? 254 : 255,
      stderr: "\nAn error occurred (404) when calling the HeadBucket operation: Not Found\n",
    });
  });

  it("S3's errors, exactly: bad names, missing buckets, unknown keys, bad tokens, wrong secrets, objects not served", async () => {
    const line = (op: string, code: string, message: string) => `\nAn error occurred (${code}) when calling the ${op} operation: ${message}\n`;
    const exit = v2 ? 254 : 255;
    expect(await cli(["s3api", "create-bucket", "--bucket", "Bad_Name"])).toMatchObject({
      code: exit,
      stderr: line("CreateBucket", "InvalidBucketName", "The specified bucket is not valid."),
    });
    expect(await cli(["s3api", "delete-bucket", "--bucket", "no-such-bucket"])).toMatchObject({
      code: exit,
      stderr: line("DeleteBucket", "NoSuchBucket", "The specified bucket does not exist"),
    });
    const unknown = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) };
    expect(await awsCli(command, server.url, unknown, ["s3", "ls"])).toMatchObject({
      code: exit,
      stderr: line("ListBuckets", "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
    });
    const wrongSecret = { ...server.root, secretAccessKey: "y".repeat(40) };
    expect(await awsCli(command, server.url, wrongSecret, ["s3", "ls"])).toMatchObject({
      code: exit,
      stderr: line("ListBuckets", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
    });
    const asia = { accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) };
    expect(await awsCli(command, server.url, asia, ["s3", "ls"])).toMatchObject({
      code: exit,
      stderr: line("ListBuckets", "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
    });
    expect(await awsCli(command, server.url, { ...asia, sessionToken: "garbled" }, ["s3", "ls"])).toMatchObject({
      code: exit,
      stderr: line("ListBuckets", "InvalidToken", "The provided token is malformed or otherwise invalid."),
    });
    await cli(["s3", "mb", `s3://${bucket}-objects`]);
    expect(await cli(["s3api", "get-bucket-versioning", "--bucket", `${bucket}-objects`])).toMatchObject({
      code: exit,
      stderr: line("GetBucketVersioning", "NotImplemented", "A header you provided implies functionality that is not implemented"),
    });
    await cli(["s3", "rb", `s3://${bucket}-objects`]);
  });
});

/** A request signed for S3 by AWS's own signer, sent as is: for the bytes of S3's answers. */
async function s3Raw(
  method: string,
  path: string,
  creds: Credentials = server.root,
  /** null: none sent. */
  contentSha256: string | null = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
): Promise<{ status: number; headers: Headers; body: string }> {
  const target = new URL(server.url);
  const signer = new SignatureV4({ credentials: creds, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path,
    query: {},
    headers: { host: target.host, ...(contentSha256 !== null && { "x-amz-content-sha256": contentSha256 }) },
  });
  const headers = { ...signed.headers };
  delete headers.host;
  const res = await fetch(`${target.origin}${path}`, { method, headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe("the envelope, byte for byte", () => {
  it("an error: the declaration, one LF, the Error element on one line, no trailing newline; the ids in headers and body", async () => {
    const r = await s3Raw("DELETE", "/missing-bucket");
    expect(r.status).toBe(404);
    expect(r.headers.get("content-type")).toBe("application/xml");
    const requestId = r.headers.get("x-amz-request-id")!;
    const hostId = r.headers.get("x-amz-id-2")!;
    expect(requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(r.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>' +
        `<BucketName>missing-bucket</BucketName><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    );
  });

  it("x-amz-content-sha256: required, one of S3's forms, the body's hash, or an aws-chunked body that is one", async () => {
    const code = async (sha: string | null) => {
      const r = await s3Raw("GET", "/", server.root, sha);
      return [r.status, /<Code>([^<]*)<\/Code><Message>([^<]*)</.exec(r.body)?.slice(1)];
    };
    expect(await code(null)).toEqual([400, ["InvalidRequest", "Missing required header for this request: x-amz-content-sha256"]]);
    expect(await code("nonsense")).toEqual([
      400,
      ["InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value."],
    ]);
    expect(await code("0".repeat(64))).toEqual([400, ["XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."]]);
    // An aws-chunked body is decoded and its chunk signatures checked: an empty one is cut short.
    expect(await code("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")).toEqual([400, ["IncompleteBody", "The request body terminated unexpectedly"]]);
    expect((await code("UNSIGNED-PAYLOAD"))[0]).toBe(200);
  });

  it("HEAD: the status alone", async () => {
    const r = await s3Raw("HEAD", "/missing-bucket");
    expect(r.status).toBe(404);
    expect(r.body).toBe("");
    expect(r.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
  });

  it("a wrong secret: SignatureDoesNotMatch shows what the server signed, and its bytes", async () => {
    const r = await s3Raw("GET", "/", { ...server.root, secretAccessKey: "z".repeat(40) });
    expect(r.status).toBe(403);
    const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(r.body)?.[1];
    expect(element("Code")).toBe("SignatureDoesNotMatch");
    expect(element("AWSAccessKeyId")).toBe(server.root.accessKeyId);
    const toSign = element("StringToSign")!;
    expect(toSign).toMatch(/^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    expect(element("StringToSignBytes")).toBe([...Buffer.from(toSign)].map((b) => b.toString(16).padStart(2, "0")).join(" "));
    expect(element("CanonicalRequest")).toMatch(/^GET\n\/\n\nhost:/);
    expect(r.body.indexOf("<CanonicalRequestBytes>")).toBeGreaterThan(r.body.indexOf("<CanonicalRequest>"));
  });

  it("botocore reads the code, the message, BucketName and both ids", async () => {
    const r = await boto3(
      server.url,
      server.root,
      [
        "s3 = s.client('s3', endpoint_url=" + JSON.stringify(server.url) + ", config=cfg)",
        "import botocore",
        "try:",
        "    s3.delete_bucket(Bucket='missing-bucket')",
        "except botocore.exceptions.ClientError as e:",
        "    h = e.response['ResponseMetadata']['HTTPHeaders']",
        "    print(json.dumps([e.response['Error'], h['x-amz-request-id'], e.response['ResponseMetadata']['HostId'], e.response['ResponseMetadata']['HTTPStatusCode']]))",
      ].join("\n"),
    );
    const [error, requestId, hostId, status] = JSON.parse(r.stdout);
    expect(status).toBe(404);
    expect(error).toEqual({ Code: "NoSuchBucket", Message: "The specified bucket does not exist", BucketName: "missing-bucket" });
    expect(requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(hostId).toMatch(/^[A-Za-z0-9+/=]+$/);
  });
});

describe("what the MFA session is for: AWS's force-MFA policy and S3", () => {
  let alice: Credentials;
  it("aws s3 ls: Access Denied with the long-term key, the buckets with the session of mfa-sts login", async () => {
    freezeAtStepStart(server);
    const { iam } = sdkClients(server.url, server.root);
    alice = await createUserWithKey(iam, "alice");
    const device = await enabledVirtualDevice(server, iam, "alice");
    await iam.send(new CreateGroupCommand({ GroupName: "mfa-required" }));
    const forceMfa = await iam.send(new CreatePolicyCommand({ PolicyName: "Force_MFA", PolicyDocument: readFileSync(FORCE_MFA, "utf8") }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "mfa-required", PolicyArn: forceMfa.Policy!.Arn! }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "mfa-required", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "mfa-required", UserName: "alice" }));
    expect(await awsCli("/usr/bin/aws", server.url, server.root, ["s3", "mb", "s3://team-data"])).toMatchObject({ code: 0 });

    expect(await awsCli("/usr/bin/aws", server.url, alice, ["s3", "ls"])).toMatchObject({
      code: 254,
      stderr: "\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n",
    });

    const home = mkdtempSync(join(tmpdir(), "mfa-sts-s3-"));
    try {
      mkdirSync(join(home, ".aws"));
      writeFileSync(join(home, ".aws", "credentials"), `[work-long-term]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
      writeFileSync(join(home, ".aws", "config"), `[profile work]\nregion = us-east-1\nmfa_serial = ${device.serialNumber}\n`);
      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        AWS_CONFIG_FILE: join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
        AWS_ENDPOINT_URL_STS: server.url,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_PAGER: "",
      };
      const login = await run(process.execPath, [BIN, "login", "--profile", "work", "--token-code", codeAt(device.seed, serverStep(server) + 1)], env);
      expect(login.code, login.stderr).toBe(0);
      const listed = await run("/usr/bin/aws", ["--endpoint-url", server.url, "--profile", "work", "s3", "ls"], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/ team-data\n$/);

      // The seed's boto3 function: AWS's GetSessionToken example lists the buckets with a session
      // made with or without MFA. Written here from its documented behaviour (same name, arguments
      // and calls); its clients name no endpoint, so AWS_ENDPOINT_URL points boto3 at the server,
      // exactly as it would run unchanged. A step later, so that the device has a code to give.
      advanceSteps(server, 1);
      const script = [
        "import boto3, sys",
        "from botocore.exceptions import ClientError",
        "def list_buckets_with_session_token_with_mfa(mfa_serial_number, mfa_totp, sts_client):",
        "    if mfa_serial_number is not None:",
        "        response = sts_client.get_session_token(SerialNumber=mfa_serial_number, TokenCode=mfa_totp)",
        "    else:",
        "        response = sts_client.get_session_token()",
        "    temp_credentials = response['Credentials']",
        "    s3_resource = boto3.resource('s3', aws_access_key_id=temp_credentials['AccessKeyId'],",
        "        aws_secret_access_key=temp_credentials['SecretAccessKey'], aws_session_token=temp_credentials['SessionToken'])",
        "    print('Buckets for the account:')",
        "    for bucket in s3_resource.buckets.all():",
        "        print(bucket.name)",
        "sts_client = boto3.client('sts')",
        "list_buckets_with_session_token_with_mfa(sys.argv[1], sys.argv[2], sts_client)",
        "try:",
        "    list_buckets_with_session_token_with_mfa(None, None, sts_client)",
        "except ClientError as error:",
        "    print(error)",
      ].join("\n");
      const pyEnv = {
        PATH: env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_ENDPOINT_URL: server.url,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: alice.accessKeyId,
        AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
      };
      const py = await run("python3", ["-c", script, device.serialNumber, codeAt(device.seed, serverStep(server) + 1)], pyEnv);
      expect(py, py.stderr).toMatchObject({
        code: 0,
        stdout: "Buckets for the account:\nteam-data\nBuckets for the account:\nAn error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n",
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
      server.clock.fixedMs = undefined;
    }
  });
});
